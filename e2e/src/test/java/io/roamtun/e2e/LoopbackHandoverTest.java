package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.Forward;
import io.roamtun.client.uplink.Handover;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handovers on loopback: 127.0.0.2 ("wifi0") and 127.0.0.3 ("lte0") play two interfaces in a scripted
 * table, and a fault proxy in front of the server breaks links. A transfer through an echo backend keeps
 * going both ways while the test forces handovers of every kind; the app must see every byte, in order,
 * and no reset.
 */
class LoopbackHandoverTest {
    private static final Duration DEAD_AFTER = Duration.ofMillis(900);

    private static final class Rig implements AutoCloseable {
        final Backends.Server echo;
        final ServerService server;
        final FaultProxy proxy;
        final ScriptedInterfaces interfaces = new ScriptedInterfaces()
                .put("wifi0", 2, true, "127.0.0.2").put("lte0", 3, true, "127.0.0.3");
        final ClientService client;

        Rig() throws Exception {
            this(Backends.echo(), Duration.ofMinutes(1));
        }

        Rig(Backends.Server backend, Duration sessionTimeout) throws Exception {
            echo = backend;
            LinkSettings link = LinkSettings.forDeadAfter(DEAD_AFTER, Duration.ofSeconds(5));
            server = ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    new ServiceDirectory(Map.of("echo", echo.address())), SessionSettings.defaults(), link, sessionTimeout));
            proxy = new FaultProxy(server.address());
            client = ClientService.start(new ClientConfig(proxy.address(),
                    List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                    SessionSettings.defaults(), link, interfaces, Duration.ofMillis(100),
                    new PathPolicy(List.of("wifi0", "lte0"), List.of()), null));
            Await.until(Duration.ofSeconds(10), "connected", () -> client.isConnected());
        }

        InetSocketAddress app() {
            return client.forwardAddresses().get(0);
        }

        @Override
        public void close() throws Exception {
            client.close();
            proxy.close();
            server.close();
            echo.close();
        }
    }

    /** Waits until the client has made {@code count} handovers in all. */
    private static void awaitHandovers(ClientService client, int count, long seconds) throws Exception {
        Await.until(Duration.ofSeconds(seconds), () -> client.handoverCount() >= count, () -> "only " + client.handoverCount() + " of " + count + " handovers; status:\n" + client.status());
    }

    @Test
    @Timeout(120)
    void anExpiredSessionResetsItsBackendsAndAppsAndTheClientStartsOver() throws Exception {
        java.util.concurrent.CountDownLatch backendSawReset = new java.util.concurrent.CountDownLatch(1);
        Backends.Server echoThatWatchesTheEnd = new Backends.Server(connection -> {
            InputStream in = connection.getInputStream();
            OutputStream out = connection.getOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                backendSawReset.countDown(); // not a clean FIN: the client's bytes in flight are lost
            }
        });
        try (Rig rig = new Rig(echoThatWatchesTheEnd, Duration.ofSeconds(1));
             Socket app = new Socket(rig.app().getAddress(), rig.app().getPort())) {
            app.setSoTimeout(30_000);
            app.getOutputStream().write("hello".getBytes());
            assertEquals('h', app.getInputStream().read());
            app.getInputStream().readNBytes(4);
            // The server becomes unreachable: the session is suspended on both sides.
            rig.proxy.refuseNew(true);
            rig.proxy.severAll();
            assertTrue(backendSawReset.await(20, TimeUnit.SECONDS), "after the session timeout the backend gets a reset");
            // The server is back, but no longer knows the session: the app's connection is reset, since
            // whatever the server still held for it is gone (a clean end could pass for a whole reply).
            rig.proxy.refuseNew(false);
            assertThrows(java.net.SocketException.class, () -> app.getInputStream().read(), "the app sees a reset");
            // ... and a new session serves new connections.
            try (Socket again = new Socket(rig.app().getAddress(), rig.app().getPort())) {
                again.setSoTimeout(30_000);
                again.getOutputStream().write('x');
                assertEquals('x', again.getInputStream().read());
            }
            assertEquals(2, rig.server.sessionsOpened());
        }
    }

    /** Waits until the client's interface table (polled every 100 ms) shows {@code name} again. */
    private static void awaitVisible(ClientService client, String name) throws Exception {
        Await.until(Duration.ofSeconds(10), name + " back in the table", () -> client.status().contains(name + " up"));
    }

    @Test
    @Timeout(600)
    void transferBothWaysSurvivesTwentyForcedHandoversOfEveryKind() throws Exception {
        long size = 256L << 20;
        try (Rig rig = new Rig(); Socket app = new Socket(rig.app().getAddress(), rig.app().getPort())) {
            app.setSoTimeout(120_000);
            Payload sent = new Payload(42, size);
            AtomicLong written = new AtomicLong();
            AtomicLong read = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = app.getOutputStream();
                    byte[] buf = new byte[32 * 1024];
                    int n;
                    while ((n = sent.next(buf)) > 0) {
                        out.write(buf, 0, n);
                        written.addAndGet(n);
                    }
                    app.shutdownOutput();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "app-writer");
            MessageDigest received = Payload.sha256();
            Thread reader = new Thread(() -> {
                try {
                    InputStream in = app.getInputStream();
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        received.update(buf, 0, n);
                        read.addAndGet(n);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "app-reader");
            writer.start();
            reader.start();

            for (int i = 0; i < 20; i++) {
                // Let some bytes move on the current path first, so every handover happens mid-transfer.
                long mark = read.get();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (read.get() < Math.min(size, mark + (4 << 20)) && read.get() < size && System.nanoTime() < until) {
                    Thread.sleep(2);
                }
                int before = (int) rig.client.handoverCount();
                String current = rig.client.activeInterface();
                String other = "wifi0".equals(current) ? "lte0" : "wifi0";
                switch (i % 4) {
                    case 0 -> rig.client.switchTo(other).get(30, TimeUnit.SECONDS); // planned, make-before-break
                    case 1 -> { // the interface in use vanishes from the table (cable pulled)
                        rig.interfaces.remove(current);
                        awaitHandovers(rig.client, before + 1, 30);
                        rig.interfaces.put(current, "wifi0".equals(current) ? 2 : 3, true,
                                "wifi0".equals(current) ? "127.0.0.2" : "127.0.0.3");
                        awaitVisible(rig.client, current);
                        rig.client.switchTo(current).get(30, TimeUnit.SECONDS); // and come back, planned
                        before++;
                    }
                    case 2 -> rig.proxy.severAll(); // the path breaks under the link: resets on both sides
                    default -> { // the path goes silent: only the missing bytes tell; the early probe moves away
                        InetAddress source = InetAddress.getByName("wifi0".equals(current) ? "127.0.0.2" : "127.0.0.3");
                        rig.proxy.blackhole(source);
                        awaitHandovers(rig.client, before + 1, 30);
                        rig.proxy.blackhole(null);
                    }
                }
                awaitHandovers(rig.client, before + 1, 30);
            }
            writer.join(TimeUnit.MINUTES.toMillis(5));
            reader.join(TimeUnit.MINUTES.toMillis(5));
            if (failure.get() != null) {
                throw new AssertionError("the app saw an error", failure.get());
            }
            assertEquals(size, written.get());
            assertEquals(size, read.get(), "every byte came back");
            assertEquals(sent.sha256Hex(), HexFormat.of().formatHex(received.digest()), "SHA-256 of the echo");
            List<Handover> handovers = rig.client.handovers();
            assertTrue(handovers.size() >= 20, "handovers: " + handovers.size());
            assertTrue(handovers.stream().anyMatch(Handover::planned), "some planned");
            assertTrue(handovers.stream().anyMatch(h -> !h.planned()), "some sudden");
            assertTrue(rig.server.resumes() >= 20, "server resumed " + rig.server.resumes());
            assertEquals(1, rig.server.sessionsOpened(), "one session all along");
        }
    }
}
