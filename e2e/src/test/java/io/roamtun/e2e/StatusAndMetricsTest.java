package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.roamtun.testing.Await;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'status --json' of both agents parses and its byte counts match the traffic this test sent, and so do
 * the byte counters on /metrics (scraped over HTTP, the Prometheus text format). Agents as their own JVMs.
 */
class StatusAndMetricsTest {
    private static final int SENT = (1 << 20) + 123;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Map<String, Object> status(String main, Path socket) throws Exception {
        try (AgentProcess status = AgentProcess.start(main, "status", "--json", "--admin-socket", socket.toString())) {
            assertEquals(0, status.waitFor(30), status.output());
            return JSON.std.mapFrom(status.output());
        }
    }

    @SuppressWarnings("unchecked")
    private static long at(Map<String, Object> json, String... path) {
        Object node = json;
        for (String key : path) {
            node = node instanceof List<?> list ? list.get(Integer.parseInt(key)) : ((Map<String, Object>) node).get(key);
        }
        return ((Number) node).longValue();
    }

    /** The value of the sample whose name and labels start with {@code prefix}, from a scrape of /metrics. */
    private static double scrape(int port, String prefix) throws Exception {
        HttpURLConnection http = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
        http.setConnectTimeout(10_000);
        http.setReadTimeout(10_000);
        assertEquals(200, http.getResponseCode());
        String text;
        try (InputStream in = http.getInputStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + "\\S* (\\S+)$").matcher(text);
        assertTrue(m.find(), "no sample " + prefix + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    @Timeout(120)
    void statusJsonAndMetricsOfBothAgentsMatchTheBytesSent(@TempDir Path tmp) throws Exception {
        int serverMetrics = freePort();
        int clientMetrics = freePort();
        Path serverSocket = tmp.resolve("server.sock");
        Path clientSocket = tmp.resolve("client.sock");
        try (Backends.Server echo = Backends.echo();
             AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0",
                     "--service", "echo=127.0.0.1:" + echo.address().getPort(), "--admin-socket", serverSocket.toString(),
                     "--metrics", "127.0.0.1:" + serverMetrics)) {
            int serverPort = Integer.parseInt(server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30));
            server.await("metrics on http://127\\.0\\.0\\.1:" + serverMetrics + "/metrics", 30);
            try (AgentProcess client = AgentProcess.client("--insecure-plaintext", "--server", "127.0.0.1:" + serverPort,
                    "--forward", "127.0.0.1:0=echo", "--admin-socket", clientSocket.toString(),
                    "--metrics", "127.0.0.1:" + clientMetrics)) {
                int app = Integer.parseInt(client.await("forwarding 127\\.0\\.0\\.1:(\\d+)", 30));
                client.await("session \\w+ established", 30);
                byte[] data = new byte[SENT];
                new Random(5).nextBytes(data);
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), app)) {
                    s.setSoTimeout(30_000);
                    Thread writer = new Thread(() -> {
                        try {
                            s.getOutputStream().write(data);
                        } catch (java.io.IOException ignored) {
                            // the read below fails then
                        }
                    });
                    writer.start();
                    byte[] back = s.getInputStream().readNBytes(SENT);
                    writer.join();
                    assertTrue(java.util.Arrays.equals(data, back), "the echo came back intact");
                }
                Await.until(Duration.ofSeconds(10), "the server's counts of what was sent", () -> {
                    Map<String, Object> json = status("io.roamtun.server.ServerServiceMain", serverSocket);
                    return at(json, "totals", "data_bytes_in") == SENT && at(json, "totals", "data_bytes_out") == SENT
                            && at(json, "sessions", "0", "data_bytes_from_client") == SENT;
                });
                Map<String, Object> clientJson = status("io.roamtun.client.ClientServiceMain", clientSocket);
                assertEquals(SENT, at(clientJson, "session", "data_bytes_to_server"), clientJson.toString());
                assertEquals(SENT, at(clientJson, "session", "data_bytes_from_server"), clientJson.toString());
                assertEquals(1, at(clientJson, "session", "streams"), clientJson.toString());
                assertEquals((double) SENT, scrape(serverMetrics, "roamtun_data_bytes_total{agent=\"server-service\",direction=\"in\"}"));
                assertEquals((double) SENT, scrape(serverMetrics, "roamtun_data_bytes_total{agent=\"server-service\",direction=\"out\"}"));
                assertEquals((double) SENT, scrape(clientMetrics, "roamtun_data_bytes_total{agent=\"client-service\",direction=\"out\"}"));
                assertEquals(1.0, scrape(serverMetrics, "roamtun_sessions_open{agent=\"server-service\"}"));

                // A peer that speaks no roamtun: its link ends with an error, counted by code.
                try (Socket junk = new Socket(InetAddress.getLoopbackAddress(), serverPort)) {
                    byte[] bytes = new byte[64];
                    java.util.Arrays.fill(bytes, (byte) 0xFF);
                    junk.getOutputStream().write(bytes);
                    junk.setSoTimeout(10_000);
                    junk.getInputStream().readAllBytes(); // the server's GOAWAY, then its close
                }
                Await.until(Duration.ofSeconds(10), "the junk link counted as an error", () -> {
                    Object errors = ((Map<?, ?>) status("io.roamtun.server.ServerServiceMain", serverSocket).get("totals")).get("link_errors");
                    return errors instanceof Map<?, ?> m && !m.isEmpty();
                });
                assertTrue(scrape(serverMetrics, "roamtun_link_errors_total{agent=\"server-service\"") >= 1.0);
            }
        }
    }
}
