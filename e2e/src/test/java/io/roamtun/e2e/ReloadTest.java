package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload applies what changed in the config file while a transfer on what did not change carries on
 * untouched: SIGHUP to the server adds a service, 'client-service reload' adds a forward; a file with an
 * error is refused and the running configuration stays. Both agents as their own JVMs, configured by file.
 */
class ReloadTest {

    /** An echo exchange that stays open across the reload: a first part before, the rest after. */
    private static final class OpenExchange implements AutoCloseable {
        final Socket socket;
        final byte[] first = new byte[256 << 10];

        OpenExchange(InetSocketAddress app) throws Exception {
            socket = new Socket(app.getAddress(), app.getPort());
            socket.setSoTimeout(30_000);
            new Random(1).nextBytes(first);
            echo(first);
        }

        void echo(byte[] bytes) throws Exception {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            byte[] back = socket.getInputStream().readNBytes(bytes.length);
            assertArrayEquals(bytes, back, "the exchange came back intact");
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    private static void echoOnce(InetSocketAddress app, String text) throws Exception {
        try (Socket s = new Socket(app.getAddress(), app.getPort())) {
            s.setSoTimeout(30_000);
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(bytes);
            InputStream in = s.getInputStream();
            assertEquals(text, new String(in.readNBytes(bytes.length), StandardCharsets.US_ASCII));
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    @Timeout(120)
    void sighupAddsAServiceAndAnOpenStreamOfAnotherIsUntouched(@TempDir Path tmp) throws Exception {
        try (Backends.Server echo = Backends.echo(); Backends.Server other = Backends.echo()) {
            Path serverConf = tmp.resolve("server.properties");
            String base = "insecure-plaintext=true\nlisten=127.0.0.1:0\n";
            Files.writeString(serverConf, base + "service=echo=127.0.0.1:" + echo.address().getPort() + "\n");
            try (AgentProcess server = AgentProcess.server("--config", serverConf.toString())) {
                int serverPort = Integer.parseInt(server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30));
                int echoPort = freePort();
                int otherPort = freePort();
                try (AgentProcess client = AgentProcess.client("--insecure-plaintext", "--server", "127.0.0.1:" + serverPort,
                        "--forward", "127.0.0.1:" + echoPort + "=echo", "--forward", "127.0.0.1:" + otherPort + "=other",
                        "--admin-socket", tmp.resolve("admin.sock").toString())) {
                    client.await("session \\w+ established", 30);
                    InetSocketAddress echoApp = new InetSocketAddress(InetAddress.getLoopbackAddress(), echoPort);
                    InetSocketAddress otherApp = new InetSocketAddress(InetAddress.getLoopbackAddress(), otherPort);
                    try (OpenExchange open = new OpenExchange(echoApp)) {
                        // A file with an error: refused, and nothing changes.
                        Files.writeString(serverConf, base + "service=echo=127.0.0.1:" + echo.address().getPort() + "\nmax-sessions=none\n");
                        server.signal("HUP");
                        server.await("reload refused, the running configuration stays: --max-sessions", 10);
                        // Now the service 'other' is added.
                        Files.writeString(serverConf, base + "service=echo=127.0.0.1:" + echo.address().getPort()
                                + ",other=127.0.0.1:" + other.address().getPort() + "\n");
                        server.signal("HUP");
                        server.await("configuration reloaded: service other added", 10);
                        echoOnce(otherApp, "through the service the reload added");
                        open.echo(open.first); // the stream opened before the reload goes on
                    }
                    assertTrue(server.output().contains("configuration reloaded"), server.output());
                    assertTrue(server.isAlive() && client.isAlive());
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void clientServiceReloadAddsAForwardAndAnOpenStreamIsUntouched(@TempDir Path tmp) throws Exception {
        try (Backends.Server echo = Backends.echo();
             AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0",
                     "--service", "echo=127.0.0.1:" + echo.address().getPort())) {
            int serverPort = Integer.parseInt(server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30));
            int first = freePort();
            int second = freePort();
            Path clientConf = tmp.resolve("client.properties");
            Path socket = tmp.resolve("admin.sock");
            String base = "insecure-plaintext=true\nserver=127.0.0.1:" + serverPort + "\nadmin-socket=" + socket + "\n";
            Files.writeString(clientConf, base + "forward=127.0.0.1:" + first + "=echo\n");
            try (AgentProcess client = AgentProcess.client("--config", clientConf.toString())) {
                client.await("session \\w+ established", 30);
                InetSocketAddress firstApp = new InetSocketAddress(InetAddress.getLoopbackAddress(), first);
                try (OpenExchange open = new OpenExchange(firstApp)) {
                    Files.writeString(clientConf, base + "forward=127.0.0.1:" + first + "=echo,127.0.0.1:" + second + "=echo\n");
                    try (AgentProcess reload = AgentProcess.client("reload", "--admin-socket", socket.toString())) {
                        assertEquals(0, reload.waitFor(30), reload.output());
                        assertTrue(reload.output().contains("forward 127.0.0.1:" + second + "=echo added"), reload.output());
                    }
                    echoOnce(new InetSocketAddress(InetAddress.getLoopbackAddress(), second), "through the forward the reload added");
                    open.echo(open.first);
                    // Taking the first forward away closes its port; the connection accepted on it carries on.
                    Files.writeString(clientConf, base + "forward=127.0.0.1:" + second + "=echo\n");
                    try (AgentProcess reload = AgentProcess.client("reload", "--admin-socket", socket.toString())) {
                        assertEquals(0, reload.waitFor(30), reload.output());
                    }
                    open.echo(open.first);
                    assertTrue(List.of(client.output().split("\n")).stream().anyMatch(l -> l.contains("=echo removed")), client.output());
                }
            }
        }
    }
}
