package io.roamtun.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Make-before-break moves of a bulk download over real loopback links, with a relay per link that holds
 * back, releases or trickles each direction, so the ACKs of a move fall where they used to get lost: sent
 * on the old link after the server took the session over (dropped with it), or arriving while the new
 * link is halfway through a resent frame (cut back to that frame and forgotten). Either left the server's
 * replay buffer full with no ACK ever coming again: the download stalled for good. Every byte must arrive,
 * in order.
 */
class MoveAcknowledgementTest {
    static final long SIZE = 16L << 20;

    static ServerSocket bulkBackend() throws Exception {
        ServerSocket ss = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = ss.accept()) {
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[32 * 1024];
                long sent = 0;
                while (sent < SIZE) {
                    int n = (int) Math.min(buf.length, SIZE - sent);
                    for (int i = 0; i < n; i++) {
                        buf[i] = (byte) ((sent + i) % 251);
                    }
                    out.write(buf, 0, n);
                    sent += n;
                }
                s.shutdownOutput();
                s.getInputStream().read();
            } catch (Exception e) {
                // done
            }
        }, "bulk");
        t.setDaemon(true);
        t.start();
        return ss;
    }

    private static final SessionSettings SETTINGS = new SessionSettings(1 << 20, 512 << 10, 1000, Duration.ofSeconds(5), 256L << 20);

    /** The app's end of the download: reads everything, noting the first byte out of order. */
    static final class AppReader {
        final AtomicLong read = new AtomicLong();
        final AtomicLong firstBad = new AtomicLong(-1);

        AppReader(Socket app) {
            Thread reader = new Thread(() -> {
                try {
                    InputStream in = app.getInputStream();
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        long base = read.get();
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != (byte) ((base + i) % 251) && firstBad.get() < 0) {
                                firstBad.set(base + i);
                            }
                        }
                        read.addAndGet(n);
                    }
                } catch (Exception e) {
                    // end
                }
            }, "app");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits up to 15 s for the whole download; the caller's assertion says what came when it did not. */
        void awaitEnd() throws Exception {
            try {
                Await.until(Duration.ofSeconds(15), "the whole download", () -> read.get() >= SIZE);
            } catch (AssertionError incomplete) {
                // asserted by the caller, with the state of both agents
            }
        }
    }

    /** Connects the client through {@code first}, opens the download, and returns once 2 MiB arrived. */
    private static AppReader startDownload(TwoAgents a, GateProxy first, ServerSocketChannel fwd, Socket app) throws Exception {
        a.connect(first.address(), "l1");
        Await.until(Duration.ofMillis(5000), "welcome", () -> a.cl.call(() -> a.client.id() != null));
        app.connect(fwd.getLocalAddress());
        a.openStream(fwd.accept(), "bulk");
        AppReader reader = new AppReader(app);
        Await.until(Duration.ofMillis(10000), "first bytes", () -> reader.read.get() > (2 << 20));
        return reader;
    }

    private static void awaitTakeover(TwoAgents a) throws Exception {
        Await.until(Duration.ofMillis(5000), "server took over", () -> a.sv.call(() -> a.server.link() != null && a.server.link().name().equals("sv2")));
    }

    @Test
    @Timeout(60)
    void anAckSentOnTheOldLinkAfterTheTakeoverIsSaidAgainOnTheNewOne() throws Exception {
        try (ServerSocket backend = bulkBackend();
             TwoAgents a = new TwoAgents(SETTINGS, Map.of("bulk", (InetSocketAddress) backend.getLocalSocketAddress()), 0);
             GateProxy p1 = new GateProxy(a.serverAddress());
             GateProxy p2 = new GateProxy(a.serverAddress());
             ServerSocketChannel fwd = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket app = new Socket()) {
            AppReader app1 = startDownload(a, p1, fwd, app);

            // Old link stops delivering server->client; the server fills its replay buffer into the proxy.
            p1.s2c = GateProxy.SHUT;
            Thread.sleep(500);
            long cutoff = System.nanoTime(); // everything the old link carried so far was read by the proxy before this

            // Make-before-break: RESUME on a second link whose server->client direction is slow.
            p2.s2c = GateProxy.SHUT;
            a.connect(p2.address(), "l2");
            awaitTakeover(a);
            // The old link's last frames (sent before the takeover) now reach the client; it ACKs them on the old link.
            p1.s2c = cutoff;
            long svHead = a.sv.call(() -> a.server.sentHead());
            Await.until(Duration.ofMillis(5000), "client got the old link's frames", () -> a.cl.call(() -> a.client.receivedOffset()) >= svHead);
            Thread.sleep(300); // the ACK timer (20 ms) sends ACK on the old link; the server drops it (CLOSING)
            p1.s2c = GateProxy.OPEN; // GOAWAY SESSION_TAKEN_OVER
            Thread.sleep(100);
            p2.s2c = GateProxy.OPEN; // RESUMED + resend
            app1.awaitEnd();
            String diag = a.sv.call(() -> "server acked=" + a.server.replay().acked() + " head=" + a.server.sentHead()
                    + " canTakeData=" + a.server.replay().canTakeData() + " state=" + a.server.state())
                    + " client received=" + a.cl.call(() -> a.client.receivedOffset() + " state=" + a.client.state())
                    + " app read=" + app1.read.get() + " events=" + a.events;
            assertEquals(-1, app1.firstBad.get(), "bytes in order");
            assertEquals(SIZE, app1.read.get(), "every byte arrives: " + diag);
        }
    }

    @Test
    @Timeout(60)
    void anAckArrivingWhileTheNewLinkIsHalfwayThroughAFrameIsHeldNotForgotten() throws Exception {
        try (ServerSocket backend = bulkBackend();
             TwoAgents a = new TwoAgents(SETTINGS, Map.of("bulk", (InetSocketAddress) backend.getLocalSocketAddress()), 0);
             GateProxy p1 = new GateProxy(a.serverAddress());
             GateProxy p2 = new GateProxy(a.serverAddress());
             ServerSocketChannel fwd = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket app = new Socket()) {
            AppReader app2 = startDownload(a, p1, fwd, app);

            p1.s2c = GateProxy.SHUT;
            Thread.sleep(500);
            int chunks = p1.s2cRead; // all of the old link's data, held by the proxy
            // The new path is narrow: the server's resend blocks halfway through a frame.
            a.serverSndBuf = 4096;
            p2.upstreamRcvBuf = 4096;
            p2.s2cAllowance = 0;
            p2.s2c = GateProxy.OPEN;
            a.connect(p2.address(), "l2");
            awaitTakeover(a);
            Thread.sleep(200);
            String mid = a.sv.call(() -> "server L2 sent up to " + a.server.link().sentOffset());
            // Most of the old link's frames reach the client (its ACKs for them go on the old link) ...
            p1.s2cExtra = chunks - 1;
            Thread.sleep(300);
            // ... then the last one together with RESUMED: that ACK is still due and goes out on the new link.
            p1.s2cExtra = 1;
            p2.s2cAllowance = 52; // RESUMED only; the server's socket stays full
            long svHead = a.sv.call(() -> a.server.sentHead());
            Await.until(Duration.ofMillis(5000), "client has everything", () -> a.cl.call(() -> a.client.receivedOffset()) >= svHead);
            Thread.sleep(300);
            String afterAck = a.sv.call(() -> "server acked=" + a.server.replay().acked() + " head=" + a.server.sentHead()
                    + " L2 sent=" + a.server.link().sentOffset());
            p2.s2cAllowance = Long.MAX_VALUE;
            p1.s2c = GateProxy.OPEN;
            app2.awaitEnd();
            String diag = mid + "; " + afterAck + "; at the end " + a.sv.call(() -> "server acked=" + a.server.replay().acked()
                    + " head=" + a.server.sentHead() + " canTakeData=" + a.server.replay().canTakeData())
                    + " client received=" + a.cl.call(() -> a.client.receivedOffset()) + " app read=" + app2.read.get() + " events=" + a.events;
            assertEquals(SIZE, app2.read.get(), "every byte arrives: " + diag);
        }
    }
}
