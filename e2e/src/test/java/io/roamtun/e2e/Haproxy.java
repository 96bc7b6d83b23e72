package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** HAProxy in TCP mode, no affinity, run in the foreground; stopped with SIGTERM, which closes every connection. */
final class Haproxy implements AutoCloseable {
    private final String haproxy;
    private final Path config;
    private final int front;
    private Process process;

    Haproxy(String haproxy, Path config, int front) {
        this.haproxy = haproxy;
        this.config = config;
        this.front = front;
    }

    void start(String balance, int[] nodes) throws Exception {
        StringBuilder servers = new StringBuilder();
        for (int n = 0; n < nodes.length; n++) {
            servers.append("  server s").append(n).append(" 127.0.0.1:").append(nodes[n]).append('\n');
        }
        Files.writeString(config, String.join("\n", "global", "  maxconn 256", "defaults", "  mode tcp",
                "  timeout connect 2s", "  timeout client 5m", "  timeout server 5m", "  retries 2", "  option redispatch", "frontend fleet",
                "  bind 127.0.0.1:" + front, "  default_backend nodes", "backend nodes", "  balance " + balance, servers.toString()));
        process = new ProcessBuilder(haproxy, "-db", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(config.resolveSibling("haproxy.log").toFile()).start();
        Await.until(Duration.ofSeconds(10), "haproxy listening on " + front, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("haproxy exited: " + Files.readString(config.resolveSibling("haproxy.log")));
            }
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), front)) {
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    void stop() throws Exception {
        process.destroy(); // SIGTERM: haproxy's hard stop
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "haproxy stopped");
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

