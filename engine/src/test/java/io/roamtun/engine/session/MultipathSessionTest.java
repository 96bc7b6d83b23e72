package io.roamtun.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.link.Link;
import io.roamtun.protocol.PathControl;
import io.roamtun.testing.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A session with two links at once (MULTIPATH), over real loopback links: aggregate stripes a download over
 * both and the receiver puts it back in order, also when one link dies halfway; redundant copies let the
 * second link deliver while the first is silent. The app checks every byte.
 */
class MultipathSessionTest {
    private static final SessionSettings SETTINGS = new SessionSettings(8 << 20, 512 << 10, 100, Duration.ofSeconds(5), 256L << 20);

    /** Connects a session through {@code first} and joins a second link; returns the second. */
    private static Link twoLinks(TwoAgents a, PathControl.Mode mode, InetSocketAddress first) throws Exception {
        a.cl.call(() -> {
            a.client.paths().use(mode, 256 * 1024);
            return null;
        });
        a.connect(first, "l1");
        Await.until(Duration.ofSeconds(10), "WELCOME", () -> a.cl.call(() -> a.client.id() != null));
        Link second = a.join(a.serverAddress(), "l2");
        Await.until(Duration.ofSeconds(10), "the second link joined on both sides", () -> a.cl.call(() -> a.client.paths().linkCount() == 2)
                && a.sv.call(() -> a.server.paths().linkCount() == 2 && a.server.paths().mode() == mode));
        return second;
    }

    @Test
    @Timeout(60)
    void aggregateStripesADownloadOverTwoLinksAndOneLostHalfwayLosesNothing() throws Exception {
        try (ServerSocket backend = MoveAcknowledgementTest.bulkBackend();
             TwoAgents a = new TwoAgents(SETTINGS, Map.of("bulk", (InetSocketAddress) backend.getLocalSocketAddress()), 0);
             ServerSocketChannel fwd = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket app = new Socket()) {
            Link second = twoLinks(a, PathControl.Mode.AGGREGATE, a.serverAddress());
            app.connect(fwd.getLocalAddress());
            a.openStream(fwd.accept(), "bulk");
            MoveAcknowledgementTest.AppReader reader = new MoveAcknowledgementTest.AppReader(app);
            Await.until(Duration.ofSeconds(20), "a third of the download", () -> reader.read.get() > MoveAcknowledgementTest.SIZE / 3);
            List<PathFigures> sent = a.sv.call(() -> a.server.paths().figures());
            assertTrue(sent.stream().allMatch(p -> p.bytesWritten() > 0 && p.role().equals("claim")),
                    "both links carried a share of the download: " + sent);
            // The second link dies halfway: what it had in flight is sent again on the first.
            a.cl.call(() -> {
                second.abort("injected loss");
                return null;
            });
            reader.awaitEnd();
            assertEquals(MoveAcknowledgementTest.SIZE, reader.read.get(), "every byte arrived; events " + a.events);
            assertEquals(-1, reader.firstBad.get(), "in order, none twice");
            assertEquals(1, (int) a.cl.call(() -> a.client.paths().linkCount()), "the second link was really lost");
            long held = a.cl.call(() -> a.client.frames().framesHeldEver());
            System.out.println("aggregate over loopback: " + held + " frames arrived ahead of their place and were held; " + sent);
        }
    }

    @Test
    @Timeout(60)
    void aLinkJoiningMidTransferAndAPromotionInAggregateLoseNothing() throws Exception {
        try (ServerSocket backend = MoveAcknowledgementTest.bulkBackend();
             TwoAgents a = new TwoAgents(SETTINGS, Map.of("bulk", (InetSocketAddress) backend.getLocalSocketAddress()), 0);
             ServerSocketChannel fwd = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket app = new Socket()) {
            a.cl.call(() -> {
                a.client.paths().use(PathControl.Mode.AGGREGATE, 256 * 1024);
                return null;
            });
            Link first = a.connect(a.serverAddress(), "l1");
            Await.until(Duration.ofSeconds(10), "WELCOME", () -> a.cl.call(() -> a.client.id() != null));
            app.connect(fwd.getLocalAddress());
            a.openStream(fwd.accept(), "bulk");
            MoveAcknowledgementTest.AppReader reader = new MoveAcknowledgementTest.AppReader(app);
            Await.until(Duration.ofSeconds(20), "the download under way on one link", () -> reader.read.get() > (1 << 20));
            // The second link joins while the first is halfway through frames: the scheduler starts after them.
            Link second = a.join(a.serverAddress(), "l2");
            Await.until(Duration.ofSeconds(10), "the second link joined", () -> a.sv.call(() -> a.server.paths().linkCount() == 2));
            long joinedAt = reader.read.get();
            Await.until(Duration.ofSeconds(20), "more of the download over both", () -> reader.read.get() > joinedAt + (4 << 20));
            // The client moves the session to the second link: the first, left behind, takes no range until it is told.
            a.cl.call(() -> a.client.paths().promote(second, false));
            Await.until(Duration.ofSeconds(10), "the server followed", () -> a.sv.call(() -> a.server.link() != null
                    && a.server.link().name().equals("sv2")));
            a.cl.call(() -> {
                first.abort("injected loss of the link left behind");
                return null;
            });
            reader.awaitEnd();
            assertEquals(MoveAcknowledgementTest.SIZE, reader.read.get(), "every byte arrived; events " + a.events);
            assertEquals(-1, reader.firstBad.get(), "in order, none twice");
        }
    }

    @Test
    @Timeout(60)
    void redundantCopiesCarryAnInteractiveStreamWhileTheFirstLinkIsSilent() throws Exception {
        int messages = 50;
        try (ServerSocket backend = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread ticker = new Thread(() -> { // an interactive backend: 1 KiB every 10 ms
                try (Socket s = backend.accept()) {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < messages; i++) {
                        byte[] m = new byte[1024];
                        java.util.Arrays.fill(m, (byte) i);
                        out.write(m);
                        Thread.sleep(10);
                    }
                    s.shutdownOutput();
                    s.getInputStream().read();
                } catch (Exception e) {
                    // done
                }
            }, "ticker");
            ticker.setDaemon(true);
            ticker.start();
            try (TwoAgents a = new TwoAgents(SETTINGS, Map.of("tick", (InetSocketAddress) backend.getLocalSocketAddress()), 0);
                 GateProxy first = new GateProxy(a.serverAddress());
                 ServerSocketChannel fwd = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                 Socket app = new Socket()) {
                twoLinks(a, PathControl.Mode.REDUNDANT, first.address());
                Link primary = a.cl.call(() -> a.client.link());
                first.c2s = GateProxy.SHUT; // the first link's path goes silent both ways, and stays so
                first.s2c = GateProxy.SHUT;
                app.connect(fwd.getLocalAddress());
                app.setSoTimeout(10_000);
                a.openStream(fwd.accept(), "tick");
                InputStream in = app.getInputStream();
                byte[] m = new byte[1024];
                for (int i = 0; i < messages; i++) {
                    int got = 0;
                    while (got < m.length) {
                        int n = in.read(m, got, m.length - got);
                        assertTrue(n > 0, "message " + i + " arrived");
                        got += n;
                    }
                    assertEquals((byte) i, m[0], "message " + i + " in order");
                }
                assertEquals(primary, a.cl.call(() -> a.client.link()), "the first link still carries the session: the copies did it all");
                List<PathFigures> sent = a.sv.call(() -> a.server.paths().figures());
                assertTrue(sent.stream().anyMatch(p -> p.place().equals("secondary") && p.role().equals("copy") && p.bytesWritten() > messages * 1024),
                        "the second link carried copies: " + sent);
            }
        }
    }
}
