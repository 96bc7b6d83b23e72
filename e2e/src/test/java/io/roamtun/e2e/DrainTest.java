package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM drains an agent: a transfer under way when it arrives finishes with identical bytes, new work is
 * turned away (the server refuses new streams, the client closes its ports), and the agent exits 0 once
 * the transfer is over, well inside the drain timeout. Both agents as their own JVMs, as users run them.
 */
class DrainTest {
    private static final int TOTAL = 8 << 20;
    private static final int FIRST = 1 << 20;

    private record Agents(Backends.Server echo, AgentProcess server, AgentProcess client, InetSocketAddress app) implements AutoCloseable {
        static Agents start(Path tmp) throws Exception {
            Backends.Server echo = Backends.echo();
            AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0",
                    "--service", "echo=127.0.0.1:" + echo.address().getPort(), "--drain-timeout", "60s",
                    "--admin-socket", tmp.resolve("server.sock").toString());
            int serverPort = Integer.parseInt(server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30));
            AgentProcess client = AgentProcess.client("--insecure-plaintext", "--server", "127.0.0.1:" + serverPort,
                    "--forward", "127.0.0.1:0=echo", "--admin-socket", tmp.resolve("admin.sock").toString(), "--drain-timeout", "60s");
            int appPort = Integer.parseInt(client.await("forwarding 127\\.0\\.0\\.1:(\\d+)", 30));
            client.await("session \\w+ established", 30);
            return new Agents(echo, server, client, new InetSocketAddress(InetAddress.getLoopbackAddress(), appPort));
        }

        @Override
        public void close() throws Exception {
            client.close();
            server.close();
            echo.close();
        }
    }

    /** An echo transfer whose first MiB has come back: it is under way when the test signals. */
    private static final class Transfer {
        final byte[] sent = new byte[TOTAL];
        final byte[] back = new byte[TOTAL];
        final Socket socket;
        final CompletableFuture<Void> rest = new CompletableFuture<>();

        Transfer(InetSocketAddress app) throws IOException {
            new Random(16).nextBytes(sent);
            socket = new Socket(app.getAddress(), app.getPort());
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(sent, 0, FIRST);
            readFully(socket.getInputStream(), back, 0, FIRST);
        }

        /** Sends the rest from another thread and reads it all back; true when every byte came back in order. */
        boolean finish() throws Exception {
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(sent, FIRST, TOTAL - FIRST);
                    socket.shutdownOutput();
                    rest.complete(null);
                } catch (IOException e) {
                    rest.completeExceptionally(e);
                }
            }, "transfer-writer");
            writer.start();
            readFully(socket.getInputStream(), back, FIRST, TOTAL - FIRST);
            rest.get(60, TimeUnit.SECONDS);
            boolean ended = socket.getInputStream().read() < 0;
            socket.close();
            assertArrayEquals(sent, back, "the echo came back identical");
            return ended;
        }
    }

    private static void readFully(InputStream in, byte[] into, int from, int length) throws IOException {
        int at = from;
        while (at < from + length) {
            int n = in.read(into, at, from + length - at);
            if (n < 0) {
                throw new IOException("end of stream after " + (at - from) + " of " + length + " bytes");
            }
            at += n;
        }
    }

    @Test
    @Timeout(120)
    void sigtermToTheServerLetsAnOpenTransferFinishRefusesNewStreamsAndExitsZero(@TempDir Path tmp) throws Exception {
        try (Agents agents = Agents.start(tmp)) {
            Transfer transfer = new Transfer(agents.app());
            agents.server().terminate();
            agents.server().await("draining: no new sessions or streams; 1 streams open", 10);
            try (Socket late = new Socket(agents.app().getAddress(), agents.app().getPort())) {
                late.setSoTimeout(10_000);
                late.getOutputStream().write(new byte[] {1, 2, 3});
                assertThrows(IOException.class, () -> {
                    if (late.getInputStream().read() < 0) {
                        throw new IOException("ended");
                    }
                }, "a stream opened during the drain is refused, not echoed");
            }
            assertTrue(transfer.finish(), "the transfer ended cleanly");
            assertEquals(0, agents.server().waitFor(30), agents.server().output());
            assertTrue(agents.server().output().contains("drained: every stream finished"), agents.server().output());
            assertTrue(agents.client().output().contains("SHUTTING_DOWN"), "the client heard why: " + agents.client().output());
        }
    }

    /** 'server-service status' shows the session and its stream; 'server-service drain' drains as SIGTERM does. */
    @Test
    @Timeout(120)
    void serverServiceDrainThroughTheAdminSocketDrainsAsSigtermDoes(@TempDir Path tmp) throws Exception {
        try (Agents agents = Agents.start(tmp)) {
            Transfer transfer = new Transfer(agents.app());
            String socket = tmp.resolve("server.sock").toString();
            try (AgentProcess status = AgentProcess.server("status", "--admin-socket", socket)) {
                assertEquals(0, status.waitFor(30), status.output());
                assertTrue(status.output().contains("1 sessions (0 suspended), 1 streams open"), status.output());
            }
            try (AgentProcess drain = AgentProcess.server("drain", "--admin-socket", socket)) {
                assertEquals(0, drain.waitFor(30), drain.output());
                assertTrue(drain.output().contains("draining: no new sessions or streams"), drain.output());
            }
            agents.server().await("draining: no new sessions or streams; 1 streams open", 10);
            assertTrue(transfer.finish(), "the transfer ended cleanly");
            assertEquals(0, agents.server().waitFor(30), agents.server().output());
            assertTrue(agents.server().output().contains("drained: every stream finished"), agents.server().output());
        }
    }

    @Test
    @Timeout(120)
    void sigtermToTheClientLetsAnOpenTransferFinishClosesItsPortsAndExitsZero(@TempDir Path tmp) throws Exception {
        try (Agents agents = Agents.start(tmp)) {
            Transfer transfer = new Transfer(agents.app());
            agents.client().terminate();
            agents.client().await("draining: no new sessions or streams; 1 streams open", 10);
            // (A listening socket registered with a selector really closes at the loop's next turn: a connect
            // in between lands in its backlog and is reset. So: wait until connects are refused.)
            io.roamtun.testing.Await.until(java.time.Duration.ofSeconds(10), "the forward's port closed during the drain", () -> {
                try (Socket late = new Socket(agents.app().getAddress(), agents.app().getPort())) {
                    return false;
                } catch (ConnectException refused) {
                    return true;
                }
            });
            assertTrue(transfer.finish(), "the transfer ended cleanly");
            assertEquals(0, agents.client().waitFor(30), agents.client().output());
            assertTrue(agents.client().output().contains("drained: every stream finished"), agents.client().output());
            assertTrue(agents.server().isAlive(), "the server carries on");
        }
    }
}
