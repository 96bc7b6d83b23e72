package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.time.Duration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Third-party programs through the tunnel, with both agents as their own processes started the way the
 * launchers start them: curl against python3's http.server, redis-cli against redis-server.
 */
class RealProgramsTest {
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Process startProgram(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(Path.of(command[0]).getFileName() + ".log").toFile()).start();
        started.add(() -> {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        });
        return p;
    }

    private static void awaitPort(int port, Process owner) throws Exception {
        Await.until(Duration.ofSeconds(30), "something listening on " + port, () -> {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException notYet) {
                if (!owner.isAlive()) {
                    throw new AssertionError("program exited with " + owner.exitValue() + " before listening on " + port);
                }
                return false;
            }
        });
    }

    /** Starts both agents as processes; returns the client's local port for {@code service}. */
    private int tunnel(String service, int backendPort) throws Exception {
        AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0",
                "--service", service + "=127.0.0.1:" + backendPort);
        started.add(server);
        String serverPort = server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30);
        AgentProcess client = AgentProcess.client("--insecure-plaintext", "--server", "127.0.0.1:" + serverPort,
                "--forward", "127.0.0.1:0=" + service);
        started.add(client);
        String localPort = client.await("forwarding 127\\.0\\.0\\.1:(\\d+) to service " + service, 30);
        client.await("session \\w+ established", 30);
        return Integer.parseInt(localPort);
    }

    private static String run(long seconds, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + text);
        return text;
    }

    @Test
    @Timeout(180)
    void curlDownloadsFromPythonHttpServerThroughTheTunnel(@TempDir Path dir) throws Exception {
        String python = ExternalTools.require("python3");
        String curl = ExternalTools.require("curl");
        byte[] file = new byte[64 << 20];
        new Random(5).nextBytes(file);
        Files.write(dir.resolve("big.bin"), file);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));

        int httpPort = freePort();
        Process http = startProgram(dir, python, "-m", "http.server", String.valueOf(httpPort), "--bind", "127.0.0.1");
        awaitPort(httpPort, http);
        int local = tunnel("web", httpPort);

        for (int i = 0; i < 3; i++) {
            Path out = dir.resolve("download-" + i + ".bin");
            run(120, curl, "--silent", "--show-error", "--fail", "-o", out.toString(), "http://127.0.0.1:" + local + "/big.bin");
            String got = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out)));
            assertEquals(expected, got, "download " + i);
        }
        String listing = run(30, curl, "--silent", "--fail", "http://127.0.0.1:" + local + "/");
        assertTrue(listing.contains("big.bin"), listing);
    }

    @Test
    @Timeout(180)
    void redisCliTalksToRedisServerThroughTheTunnel(@TempDir Path dir) throws Exception {
        String redisServer = ExternalTools.require("redis-server");
        String redisCli = ExternalTools.require("redis-cli");
        int redisPort = freePort();
        Process redis = startProgram(dir, redisServer, "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString());
        awaitPort(redisPort, redis);
        int local = tunnel("redis", redisPort);
        String port = String.valueOf(local);

        assertEquals("PONG", run(30, redisCli, "-h", "127.0.0.1", "-p", port, "PING").trim());
        String big = "v".repeat(1 << 20);
        Path value = dir.resolve("value.txt");
        Files.writeString(value, big);
        // redis-cli -x reads the value from stdin
        Process set = new ProcessBuilder(redisCli, "-h", "127.0.0.1", "-p", port, "-x", "SET", "bigkey")
                .redirectInput(value.toFile()).redirectErrorStream(true).start();
        assertEquals("OK", new String(set.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        assertTrue(set.waitFor(30, TimeUnit.SECONDS));
        assertEquals(String.valueOf(big.length()), run(30, redisCli, "-h", "127.0.0.1", "-p", port, "STRLEN", "bigkey").trim());
        String got = run(30, redisCli, "-h", "127.0.0.1", "-p", port, "GET", "bigkey").trim();
        assertEquals(big, got);
        // A pipelined burst: 10,000 commands in one connection.
        StringBuilder commands = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            commands.append("INCR counter\n");
        }
        Path script = dir.resolve("incr.txt");
        Files.writeString(script, commands);
        Process pipe = new ProcessBuilder(redisCli, "-h", "127.0.0.1", "-p", port)
                .redirectInput(script.toFile()).redirectErrorStream(true).start();
        pipe.getInputStream().readAllBytes();
        assertTrue(pipe.waitFor(60, TimeUnit.SECONDS));
        assertEquals("10000", run(30, redisCli, "-h", "127.0.0.1", "-p", port, "GET", "counter").trim());
    }
    /** Runs a server-service set-up command and returns its output. */
    private static String setUp(String... args) throws Exception {
        try (AgentProcess p = AgentProcess.server(args)) {
            assertEquals(0, p.waitFor(30), p.output());
            return p.output();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /**
     * A reverse tunnel over TLS with client credentials: curl on the server's side downloads from python's
     * http.server on the client's side. Only the client whose line in the clients file grants the port gets
     * it; when that client is killed and started again, its new session takes the port over from the old
     * one (still held for a resume) and serves it again.
     */
    @Test
    @Timeout(180)
    void curlOnTheServerSideDownloadsFromAnHttpServerOnTheClientSide(@TempDir Path dir) throws Exception {
        String python = ExternalTools.require("python3");
        String curl = ExternalTools.require("curl");
        byte[] file = new byte[32 << 20];
        new Random(7).nextBytes(file);
        Files.write(dir.resolve("big.bin"), file);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        int httpPort = freePort();
        Process http = startProgram(dir, python, "-m", "http.server", String.valueOf(httpPort), "--bind", "127.0.0.1");
        awaitPort(httpPort, http);

        int exposed = freePort();
        String serverDir = dir.resolve("server").toString();
        String init = setUp("init", "--dir", serverDir, "--client", "laptop");
        String fingerprint = init.replaceAll("(?s).*--server-fingerprint (sha256:[0-9a-f]+).*", "$1");
        String laptop = init.replaceAll("(?s).*--credential (laptop:\\S+).*", "$1");
        String desk = setUp("client", "add", "desk", "--dir", serverDir, "--expose", String.valueOf(exposed))
                .replaceAll("(?s).*--credential (desk:\\S+).*", "$1");
        assertTrue(setUp("client", "list", "--dir", serverDir).contains("desk * expose " + exposed));

        AgentProcess server = AgentProcess.server("--dir", serverDir, "--listen", "127.0.0.1:0");
        started.add(server);
        String serverPort = server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30);
        String[] deskArgs = {"--server", "127.0.0.1:" + serverPort, "--server-fingerprint", fingerprint, "--credential", desk,
                "--expose", exposed + "=" + httpPort, "--instance", "desk"};
        AgentProcess deskClient = AgentProcess.client(deskArgs);
        started.add(deskClient);
        deskClient.await("--expose " + exposed + ": the server listens on 127\\.0\\.0\\.1:" + exposed, 30);
        Path out = dir.resolve("download-1.bin");
        run(120, curl, "--silent", "--show-error", "--fail", "-o", out.toString(), "http://127.0.0.1:" + exposed + "/big.bin");
        assertEquals(expected, sha256(out));

        AgentProcess laptopClient = AgentProcess.client("--server", "127.0.0.1:" + serverPort, "--server-fingerprint", fingerprint,
                "--credential", laptop, "--expose", exposed + "=" + httpPort, "--instance", "laptop");
        started.add(laptopClient);
        laptopClient.await("--expose " + exposed + ": refused: the server does not allow this client that port", 30);
        server.await("client laptop asked to expose port " + exposed + ": not allowed", 30);

        deskClient.signal("KILL");
        deskClient.waitFor(30);
        AgentProcess deskAgain = AgentProcess.client(deskArgs);
        started.add(deskAgain);
        deskAgain.await("--expose " + exposed + ": the server listens on", 30);
        server.await("port 127\\.0\\.0\\.1:" + exposed + ": taken over by client desk from its earlier session", 30);
        Path again = dir.resolve("download-2.bin");
        run(120, curl, "--silent", "--show-error", "--fail", "-o", again.toString(), "http://127.0.0.1:" + exposed + "/big.bin");
        assertEquals(expected, sha256(again));
    }
    /** dig asks dnsmasq, beside the server, through a UDP forward: the answers come back whole, one per query. */
    @Test
    @Timeout(120)
    void digResolvesThroughAUdpForwardToDnsmasq(@TempDir Path dir) throws Exception {
        String dnsmasq = ExternalTools.require("dnsmasq");
        String dig = ExternalTools.require("dig");
        int dnsPort = freeUdpPort();
        Files.writeString(dir.resolve("dnsmasq.conf"), String.join("\n", "no-resolv", "no-hosts", "listen-address=127.0.0.1",
                "bind-interfaces", "port=" + dnsPort, "address=/backend.test/192.0.2.10", "txt-record=big.test," + "x".repeat(200),
                "pid-file=" + dir.resolve("dnsmasq.pid"), ""));
        startProgram(dir, dnsmasq, "--keep-in-foreground", "--conf-file=" + dir.resolve("dnsmasq.conf"));
        AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0",
                "--udp-service", "dns=127.0.0.1:" + dnsPort);
        started.add(server);
        String serverPort = server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30);
        AgentProcess client = AgentProcess.client("--insecure-plaintext", "--server", "127.0.0.1:" + serverPort,
                "--forward-udp", "127.0.0.1:0=dns");
        started.add(client);
        String local = client.await("forwarding udp 127\\.0\\.0\\.1:(\\d+) to service dns", 30);
        client.await("session \\w+ established", 30);
        String answer = "";
        for (int attempt = 0; attempt < 30 && !answer.equals("192.0.2.10"); attempt++) { // dnsmasq may still be starting
            answer = run(30, dig, "+short", "+time=1", "+tries=1", "@127.0.0.1", "-p", local, "backend.test").trim();
        }
        assertEquals("192.0.2.10", answer);
        for (int i = 0; i < 20; i++) {
            assertEquals("192.0.2.10", run(30, dig, "+short", "+time=2", "+tries=1", "@127.0.0.1", "-p", local, "backend.test").trim());
        }
        String txt = run(30, dig, "+short", "+time=2", "+tries=1", "@127.0.0.1", "-p", local, "TXT", "big.test").trim();
        assertEquals("\"" + "x".repeat(200) + "\"", txt);
    }

    private static int freeUdpPort() throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
