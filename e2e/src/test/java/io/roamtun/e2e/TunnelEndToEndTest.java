package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.time.Duration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Both agents in this JVM, real sockets on loopback, real byte counts and checksums. */
class TunnelEndToEndTest {

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket(address.getAddress(), address.getPort());
        s.setTcpNoDelay(true);
        s.setSoTimeout(60_000);
        return s;
    }

    /** Sends {@code length} pseudo-random bytes through an echo and checks the SHA-256 both ways. */
    private static void echoAndCompare(InetSocketAddress address, long seed, long length) throws Exception {
        try (Socket s = connect(address)) {
            Payload sent = new Payload(seed, length);
            AtomicLong sentBytes = new AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = sent.next(buf)) > 0) {
                        out.write(buf, 0, n);
                        sentBytes.addAndGet(n);
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "writer-" + seed);
            writer.start();
            MessageDigest received = Payload.sha256();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                received.update(buf, 0, n);
                total += n;
            }
            writer.join();
            assertEquals(length, sentBytes.get());
            assertEquals(length, total, "bytes echoed back");
            assertEquals(sent.sha256Hex(), HexFormat.of().formatHex(received.digest()), "SHA-256 of what came back");
        }
    }

    @Test
    @Timeout(300)
    void oneGibibyteThroughOneStreamKeepsItsSha256BothWays() throws Exception {
        try (Backends.Server echo = Backends.echo();
             Tunnel tunnel = Tunnel.start(Map.of("echo", echo.address()), List.of("echo"))) {
            echoAndCompare(tunnel.forward("echo"), 1, 1L << 30);
        }
    }

    @Test
    @Timeout(120)
    void twoHundredConcurrentStreamsEachKeepTheirOwnPayload() throws Exception {
        try (Backends.Server echo = Backends.echo();
             Tunnel tunnel = Tunnel.start(Map.of("echo", echo.address()), List.of("echo"))) {
            ExecutorService pool = Executors.newFixedThreadPool(200);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long seed = 1000 + i;
                    long length = 64 * 1024 + seed * 997; // distinct lengths and contents
                    results.add(pool.submit(() -> {
                        echoAndCompare(tunnel.forward("echo"), seed, length);
                        return null;
                    }));
                }
                for (Future<?> f : results) {
                    f.get(100, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, awaitStreams(tunnel, 0), "every stream is gone from the client afterwards");
        }
    }

    /** The client's stream count once it is {@code expected}, or what it was after 10 s (for the caller's assertion). */
    private static int awaitStreams(Tunnel tunnel, int expected) throws Exception {
        try {
            return Await.value(Duration.ofSeconds(10), expected + " streams", tunnel.client::streamCount, n -> n == expected);
        } catch (AssertionError notYet) {
            return tunnel.client.streamCount();
        }
    }

    @Test
    @Timeout(60)
    void halfCloseCarriesTheRequestEndAndTheWholeReply() throws Exception {
        byte[] reply = new byte[3 * 1024 * 1024];
        for (int i = 0; i < reply.length; i++) {
            reply[i] = (byte) (i * 31);
        }
        // The backend reads the request to its end, only then answers, then closes.
        try (Backends.Server backend = new Backends.Server(connection -> {
                 byte[] request = connection.getInputStream().readAllBytes();
                 OutputStream out = connection.getOutputStream();
                 out.write(("got " + request.length + "\n").getBytes(StandardCharsets.US_ASCII));
                 out.write(reply);
                 out.flush();
             });
             Tunnel tunnel = Tunnel.start(Map.of("svc", backend.address()), List.of("svc"))) {
            try (Socket s = connect(tunnel.forward("svc"))) {
                s.getOutputStream().write(new byte[100_000]);
                s.shutdownOutput();
                byte[] all = s.getInputStream().readAllBytes();
                byte[] header = "got 100000\n".getBytes(StandardCharsets.US_ASCII);
                assertEquals(header.length + reply.length, all.length);
                assertArrayEquals(header, java.util.Arrays.copyOf(all, header.length));
                assertArrayEquals(reply, java.util.Arrays.copyOfRange(all, header.length, all.length));
            }
        }
    }

    @Test
    @Timeout(30)
    void backendThatRefusesClosesTheLocalSocketPromptly() throws Exception {
        try (Tunnel tunnel = Tunnel.start(Map.of("down", Backends.refusingAddress()), List.of("down"))) {
            try (Socket s = connect(tunnel.forward("down"))) {
                s.setSoTimeout(5_000);
                long start = System.nanoTime();
                assertClosed(s);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(ms < 5_000, "closed after " + ms + " ms");
            }
        }
    }

    @Test
    @Timeout(30)
    void unknownServiceIsClosedCleanlyAndOtherServicesCarryOn() throws Exception {
        try (Backends.Server echo = Backends.echo();
             Tunnel tunnel = Tunnel.start(Map.of("echo", echo.address()), List.of("echo", "nosuch"))) {
            try (Socket s = connect(tunnel.forward("nosuch"))) {
                s.setSoTimeout(5_000);
                assertClosed(s);
            }
            echoAndCompare(tunnel.forward("echo"), 7, 1 << 20);
            assertEquals(1, tunnel.server.sessionCount(), "the session survived the refusal");
        }
    }

    private static void assertClosed(Socket s) throws IOException {
        try {
            assertEquals(-1, s.getInputStream().read(), "end of stream");
        } catch (SocketException reset) {
            // a reset is a close too
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the local socket was not closed", e);
        }
    }

    @Test
    @Timeout(120)
    void aStreamWhoseReaderStopsDoesNotBlockAParallelStream() throws Exception {
        // "source" pours bytes as fast as it can; the app on that stream never reads.
        try (Backends.Server source = new Backends.Server(connection -> {
                 OutputStream out = connection.getOutputStream();
                 byte[] buf = new byte[64 * 1024];
                 while (true) {
                     out.write(buf);
                 }
             });
             Backends.Server echo = Backends.echo();
             Tunnel tunnel = Tunnel.start(Map.of("source", source.address(), "echo", echo.address()),
                     List.of("source", "echo"))) {
            try (Socket stalled = connect(tunnel.forward("source"))) {
                stalled.getInputStream(); // connected, never read
                // The stalled stream fills every buffer on the way: the app's socket, then its queue in the client.
                Await.until(Duration.ofSeconds(20), "the stalled stream's bytes queued in the client", () -> tunnel.client
                        .describeStreams().stream().anyMatch(line -> line.contains("source") && !line.endsWith("queued=0")));
                echoAndCompare(tunnel.forward("echo"), 99, 64L << 20);
                List<String> streams = tunnel.client.describeStreams();
                assertTrue(streams.stream().anyMatch(line -> line.contains("source")), "stalled stream still open: " + streams);
            }
        }
    }
}
