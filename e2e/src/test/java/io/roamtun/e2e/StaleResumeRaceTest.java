package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.Forward;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RESUMEs of attempts the client already gave up (superseded by a switch) reach the server only after the
 * client's next attempt resumed: they must neither take the session back nor end it. A relay holds every
 * client->server byte of connections from one source address and releases them all at once (with the
 * client's FIN behind), as a slow network or a middlebox can.
 */
class StaleResumeRaceTest {
    private static final Duration DEAD_AFTER = Duration.ofMillis(900);

    /** Relay that holds client->server bytes of connections from {@link #hold} until {@link #release}. */
    static final class HoldingProxy implements AutoCloseable {
        final class Pair {
            final Socket client;
            final Socket server;
            final boolean held;
            final List<byte[]> queue = new ArrayList<>();
            boolean eof;
            boolean open;

            Pair(Socket client, Socket server, boolean held) {
                this.client = client;
                this.server = server;
                this.held = held;
            }
        }

        final ServerSocket listener;
        final InetSocketAddress target;
        volatile InetAddress hold;
        final List<Pair> pairs = new CopyOnWriteArrayList<>();
        volatile boolean released;

        HoldingProxy(InetSocketAddress target) throws IOException {
            this.target = target;
            listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket c = listener.accept();
                        Socket s = new Socket(target.getAddress(), target.getPort());
                        c.setTcpNoDelay(true);
                        s.setTcpNoDelay(true);
                        Pair p = new Pair(c, s, c.getInetAddress().equals(hold));
                        pairs.add(p);
                        pumpUp(p);
                        pumpDown(p);
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "holding-proxy");
            t.setDaemon(true);
            t.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        /** Connections from the held source that sent something (a RESUME) now waiting in the relay. */
        synchronized int heldWithBytes() {
            int n = 0;
            for (Pair p : pairs) {
                synchronized (p) {
                    if (p.held && !p.queue.isEmpty()) {
                        n++;
                    }
                }
            }
            return n;
        }

        synchronized int heldClosedByClient() {
            int n = 0;
            for (Pair p : pairs) {
                synchronized (p) {
                    if (p.held && p.eof) {
                        n++;
                    }
                }
            }
            return n;
        }

        private void pumpUp(Pair p) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try {
                    InputStream in = p.client.getInputStream();
                    OutputStream out = p.server.getOutputStream();
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        synchronized (p) {
                            if (p.held && !released && !p.open) {
                                p.queue.add(java.util.Arrays.copyOf(buf, n));
                            } else {
                                out.write(buf, 0, n);
                            }
                        }
                    }
                    synchronized (p) {
                        if (p.held && !released && !p.open) {
                            p.eof = true;
                        } else {
                            p.server.shutdownOutput();
                        }
                    }
                } catch (IOException e) {
                    synchronized (p) {
                        if (p.held && !released && !p.open) {
                            p.eof = true; // the client reset it: deliver the bytes, then the end
                        } else {
                            closeQuietly(p);
                        }
                    }
                }
            }, "holding-up");
            t.setDaemon(true);
            t.start();
        }

        private void pumpDown(Pair p) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try {
                    InputStream in = p.server.getInputStream();
                    OutputStream out = p.client.getOutputStream();
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                    }
                    p.client.shutdownOutput();
                } catch (IOException e) {
                    // the client is gone (an abandoned attempt): let the server see the end
                    try {
                        p.server.shutdownOutput();
                    } catch (IOException ignored) {
                        // closed
                    }
                }
            }, "holding-down");
            t.setDaemon(true);
            t.start();
        }

        /**
         * Passes the held end on to the server; the down pump may have done so already (the client closed
         * its side meanwhile), which is the same end.
         */
        private static void endTowardsServer(Pair p) throws IOException {
            try {
                p.server.shutdownOutput();
            } catch (java.net.SocketException e) {
                if (!p.server.isOutputShutdown() && !p.server.isClosed()) {
                    throw e;
                }
            }
        }

        /** Delivers every held byte, connection after connection in one go, then the held ends. */
        synchronized void release() throws IOException {
            List<Pair> held = new ArrayList<>();
            for (Pair p : pairs) {
                if (p.held) {
                    held.add(p);
                }
            }
            for (Pair p : held) {
                synchronized (p) {
                    for (byte[] b : p.queue) {
                        p.server.getOutputStream().write(b);
                    }
                    p.queue.clear();
                }
            }
            released = true;
            for (Pair p : held) {
                synchronized (p) {
                    if (p.eof) {
                        endTowardsServer(p);
                    }
                }
            }
        }

        /** Delivers the held bytes (and end) of the first held connection only. */
        synchronized void releaseFirst() throws IOException {
            for (Pair p : pairs) {
                if (p.held) {
                    synchronized (p) {
                        for (byte[] b : p.queue) {
                            p.server.getOutputStream().write(b);
                        }
                        p.queue.clear();
                        p.open = true;
                        if (p.eof) {
                            endTowardsServer(p);
                        }
                    }
                    return;
                }
            }
        }

        private static void closeQuietly(Pair p) {
            try {
                p.client.close();
                p.server.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Pair p : pairs) {
                closeQuietly(p);
            }
        }
    }

    private static final class Rig implements AutoCloseable {
        final Backends.Server echo = Backends.echo();
        final ServerService server;
        final HoldingProxy proxy;
        final ScriptedInterfaces interfaces = new ScriptedInterfaces()
                .put("wifi0", 2, true, "127.0.0.2").put("lte0", 3, true, "127.0.0.3");
        final ClientService client;

        Rig() throws Exception {
            LinkSettings link = LinkSettings.forDeadAfter(DEAD_AFTER, Duration.ofSeconds(5));
            server = ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    new ServiceDirectory(Map.of("echo", echo.address())), SessionSettings.defaults(), link, Duration.ofMinutes(1)));
            proxy = new HoldingProxy(server.address());
            client = ClientService.start(new ClientConfig(proxy.address(),
                    List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                    SessionSettings.defaults(), link, interfaces, Duration.ofMillis(100),
                    // One link at a time: these races are between RESUMEs, which a second link would make unneeded.
                    new PathPolicy(List.of("wifi0", "lte0"), List.of(), List.of(), io.roamtun.client.paths.Multipath.OFF), null));
            Await.until(Duration.ofSeconds(10), "on wifi0", () -> "wifi0".equals(client.activeInterface()));
        }

        @Override
        public void close() throws Exception {
            client.close();
            proxy.close();
            server.close();
            echo.close();
        }
    }

    /** An echo transfer that runs until stopped; checks every byte came back, in order. */
    private static final class Transfer {
        final Socket app;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong written = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final MessageDigest sent = Payload.sha256();
        final MessageDigest received = Payload.sha256();
        final Thread writer;
        final Thread reader;

        Transfer(InetSocketAddress at) throws IOException {
            app = new Socket(at.getAddress(), at.getPort());
            app.setSoTimeout(60_000);
            Payload payload = new Payload(7, Long.MAX_VALUE);
            writer = new Thread(() -> {
                try {
                    OutputStream out = app.getOutputStream();
                    byte[] buf = new byte[16 * 1024];
                    while (!stop.get()) {
                        int n = payload.next(buf);
                        out.write(buf, 0, n);
                        sent.update(buf, 0, n);
                        written.addAndGet(n);
                        Thread.sleep(1);
                    }
                    app.shutdownOutput();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "app-writer");
            reader = new Thread(() -> {
                try {
                    InputStream in = app.getInputStream();
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        received.update(buf, 0, n);
                        read.addAndGet(n);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "app-reader");
            writer.start();
            reader.start();
        }

        void finishAndCheck() throws Exception {
            stop.set(true);
            writer.join(60_000);
            reader.join(60_000);
            assertNull(failure.get(), "the app saw an error: " + failure.get());
            assertEquals(written.get(), read.get(), "every byte came back");
            assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(received.digest()));
            app.close();
        }
    }

    /** Starts {@code count} switches to lte0, each superseding the last; their RESUMEs wait in the relay. */
    private static void staleAttemptsVia(Rig rig, int count) throws Exception {
        rig.proxy.hold = InetAddress.getByName("127.0.0.3");
        for (int i = 1; i <= count; i++) {
            var attempt = rig.client.switchTo("lte0");
            int held = i;
            Await.until(Duration.ofSeconds(5), "RESUME " + i + " held in the relay", () -> rig.proxy.heldWithBytes() >= held);
            final var previous = attempt;
            if (i == count) {
                rig.client.switchTo("wifi0").get(10, TimeUnit.SECONDS); // the client resumes via wifi0
                assertThrows(ExecutionException.class, () -> previous.get(1, TimeUnit.SECONDS), "superseded");
            }
        }
        Await.until(Duration.ofSeconds(5), "the client closed every given-up connection", () -> rig.proxy.heldClosedByClient() >= count);
    }

    /**
     * One stale RESUME, delivered after the client's next attempt resumed: the server refuses it (a
     * connection accepted after it carries the session), so the session stays where the client has it, with
     * no takeover, no second resume, and every byte intact.
     */
    @Test
    @Timeout(60)
    void aStaleResumeIsRefusedAndTheSessionStaysOnTheClientsConnection() throws Exception {
        try (Rig rig = new Rig()) {
            Transfer t = new Transfer(rig.client.forwardAddresses().get(0));
            Await.until(Duration.ofSeconds(10), "the transfer under way", () -> t.read.get() > 0);
            staleAttemptsVia(rig, 1);
            long resumesBefore = rig.server.resumes();
            long handoversBefore = rig.client.handoverCount();
            rig.proxy.release();
            awaitStaleRefusals(rig, 1); // (refused when counted: no takeover can follow)
            assertEquals(resumesBefore, rig.server.resumes(), "no takeover by the stale connection");
            assertEquals(handoversBefore, rig.client.handoverCount(), "the client's connection kept the session");
            assertTrue(rig.client.isConnected());
            t.finishAndCheck();
            assertEquals(1, rig.server.sessionsOpened(), "one session all along");
        }
    }

    private static void awaitStaleRefusals(Rig rig, long count) throws Exception {
        Await.until(Duration.ofSeconds(10), () -> rig.server.staleResumesRefused() >= count,
                () -> "the server refused only " + rig.server.staleResumesRefused() + " of " + count + " stale RESUMEs; status:\n"
                        + rig.client.status());
    }

    /**
     * Four stale RESUMEs (switches superseded one after another) delivered after the client's next attempt
     * resumed: each is refused as stale (a connection accepted after it carries the session), so none takes
     * the session over or hands out a nonce, and the transfer finishes intact on the one session.
     */
    @Test
    @Timeout(60)
    void fourStaleResumesAreAllRefusedAndTheSessionCarriesOn() throws Exception {
        try (Rig rig = new Rig()) {
            Transfer t = new Transfer(rig.client.forwardAddresses().get(0));
            Await.until(Duration.ofSeconds(10), "the transfer under way", () -> t.read.get() > 0);
            staleAttemptsVia(rig, 4);
            long resumesBefore = rig.server.resumes();
            rig.proxy.release();
            awaitStaleRefusals(rig, 4); // (refused when counted: no takeover can follow)
            assertEquals(resumesBefore, rig.server.resumes(), "none of them took the session over");
            t.finishAndCheck();
            assertEquals(1, rig.server.sessionsOpened(), "one session all along");
        }
    }

    /**
     * A stale RESUME arrives while a planned attempt (a switch to lte0) is stuck: it is refused, so the
     * session is never taken from the working connection and never waits for the stuck attempt.
     */
    @Test
    @Timeout(60)
    void aStaleResumeDuringAStuckPlannedAttemptDoesNotSuspendTheSession() throws Exception {
        try (Rig rig = new Rig()) {
            Transfer t = new Transfer(rig.client.forwardAddresses().get(0));
            Await.until(Duration.ofSeconds(10), "the transfer under way", () -> t.read.get() > 0);
            staleAttemptsVia(rig, 1);                       // A (given up) held; the session resumed on wifi0
            var stuck = rig.client.switchTo("lte0");        // E: a planned attempt whose RESUME is held too
            Await.until(Duration.ofSeconds(5), "E's RESUME held", () -> rig.proxy.heldWithBytes() >= 2);
            long handoversBefore = rig.client.handoverCount();
            long resumesBefore = rig.server.resumes();
            rig.proxy.releaseFirst();                       // only A's RESUME (and FIN) reach the server
            awaitStaleRefusals(rig, 1); // (refused when counted: no takeover can follow)
            assertEquals(resumesBefore, rig.server.resumes(), "no takeover by the stale connection");
            assertEquals(handoversBefore, rig.client.handoverCount(), "the session stayed on wifi0");
            assertTrue(rig.client.isConnected(), "carried all along");
            assertThrows(ExecutionException.class, () -> stuck.get(15, TimeUnit.SECONDS), "the stuck switch fails on its own");
            t.finishAndCheck();
        }
    }
}
