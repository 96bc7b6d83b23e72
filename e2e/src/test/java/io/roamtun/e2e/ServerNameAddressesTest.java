package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server-service name with several addresses, the first of which refuses: the client-service moves on to
 * the next one instead of retrying the dead one forever. The name resolves through a hosts file of the
 * client's JVM ({@code jdk.net.hosts.file}), to two loopback addresses.
 */
class ServerNameAddressesTest {

    @Test
    void aNameWhoseFirstAddressIsDeadIsReachedThroughItsSecond(@TempDir Path dir) throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread echoThread = new Thread(() -> serveOneEcho(echo), "echo");
            echoThread.setDaemon(true);
            echoThread.start();
            try (AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.2:0",
                    "--service", "echo=127.0.0.1:" + echo.getLocalPort())) {
                String port = server.await("listening on 127\\.0\\.0\\.2:(\\d+) ", 30);
                try (ServerSocket probe = new ServerSocket()) { // nothing may listen on the first address's port
                    probe.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)));
                }
                Path hosts = dir.resolve("hosts");
                Files.writeString(hosts, "127.0.0.1 two.roamtun.test\n127.0.0.2 two.roamtun.test\n");
                try (AgentProcess client = AgentProcess.startWith(List.of("-Xmx256m", "-Djdk.net.hosts.file=" + hosts),
                        "io.roamtun.client.ClientServiceMain", "--insecure-plaintext", "--server", "two.roamtun.test:" + port,
                        "--forward", "127.0.0.1:0=echo", "--admin-socket", dir.resolve("admin.sock").toString())) {
                    String local = client.await("forwarding 127\\.0\\.0\\.1:(\\d+) to service echo", 30);
                    client.await("session \\S+ established via \\S+->127\\.0\\.0\\.2:" + port, 30);
                    assertTrue(client.output().contains("has 2 addresses"), client.output());
                    byte[] message = "through the second address".getBytes(StandardCharsets.UTF_8);
                    try (Socket app = new Socket("127.0.0.1", Integer.parseInt(local))) {
                        app.setSoTimeout(20_000);
                        app.getOutputStream().write(message);
                        assertArrayEquals(message, app.getInputStream().readNBytes(message.length), client.output());
                    }
                }
            }
        }
    }

    /**
     * Two addresses that both refuse: each round tries both, then the backoff applies (a rotation that
     * started each next attempt at once made thousands of attempts a second).
     */
    @Test
    void twoDeadAddressesAreTriedInTurnWithBackoff(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort(); // closed again: both addresses refuse on it
        }
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 dead.roamtun.test\n127.0.0.2 dead.roamtun.test\n");
        try (AgentProcess client = AgentProcess.startWith(List.of("-Xmx256m", "-Djdk.net.hosts.file=" + hosts),
                "io.roamtun.client.ClientServiceMain", "--insecure-plaintext", "--server", "dead.roamtun.test:" + port,
                "--forward", "127.0.0.1:0=echo", "--admin-socket", dir.resolve("admin.sock").toString())) {
            client.await("cannot reach server-service 127\\.0\\.0\\.2:" + port, 30);
            Thread.sleep(4_000);
            String out = client.output();
            long attempts = out.lines().filter(l -> l.contains("cannot reach server-service")).count();
            assertTrue(attempts < 40, attempts + " attempts in about 4 s:\n" + out);
            assertTrue(out.contains("cannot reach server-service 127.0.0.1:" + port), out);
            assertTrue(out.lines().anyMatch(l -> l.contains("; retrying in ")), "a round ends in a wait:\n" + out);
        }
    }

    private static void serveOneEcho(ServerSocket listener) {
        try (Socket s = listener.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (Exception ignored) {
            // the test ends the connection
        }
    }
}
