package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import io.roamtun.protocol.AnyFrame;
import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.ClientTls;
import io.roamtun.client.Forward;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Wire;
import io.roamtun.server.ClientCredentials;
import io.roamtun.server.ServerDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server-service (its own JVM, heap capped at 96 MiB, dying on OutOfMemoryError) under attack from
 * every side at once, while a well-behaved client keeps moving data through it with checked contents.
 */
class HostileInputTest {
    private static final int MAX_STREAMS = 100;

    @Test
    @Timeout(240)
    void theServerSurvivesHostilePeersAndAGoodClientKeepsWorking(@TempDir Path tmp) throws Exception {
        Secured secured = Secured.create(tmp);
        String credential = secured.credential();
        String fingerprint = secured.fingerprint();
        try (Backends.Server echo = Backends.echo();
             Backends.Server source = endlessSource();
             AgentProcess server = startServer(secured, List.of("-Xmx96m", "-XX:+ExitOnOutOfMemoryError"),
                     "--service", "echo=127.0.0.1:" + echo.address().getPort(),
                     "--service", "source=127.0.0.1:" + source.address().getPort(), "--max-streams", String.valueOf(MAX_STREAMS))) {
            InetSocketAddress address = listeningAddress(server);
            try (ClientService good = goodClient(address, fingerprint, credential)) {
                AtomicBoolean attacking = new AtomicBoolean(true);
                AtomicInteger goodTransfers = new AtomicInteger();
                List<String> goodFailures = new CopyOnWriteArrayList<>();
                Thread goodTraffic = new Thread(() -> {
                    int round = 0;
                    while (attacking.get()) {
                        try {
                            transfer(good.forwardAddresses().get(0), ++round);
                            goodTransfers.incrementAndGet();
                        } catch (Exception e) {
                            goodFailures.add("round " + round + ": " + e);
                        }
                    }
                }, "good-client");
                goodTraffic.start();

                List<Socket> halfOpen = new ArrayList<>();
                List<AutoCloseable> held = new ArrayList<>();
                try {
                    // 1,000 connections that never say anything.
                    for (int i = 0; i < 1000; i++) {
                        halfOpen.add(new Socket(address.getAddress(), address.getPort()));
                    }
                    // Random bytes before any handshake.
                    Random random = new Random(7);
                    for (int i = 0; i < 50; i++) {
                        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                            s.setSoTimeout(15_000);
                            byte[] junk = new byte[4096];
                            random.nextBytes(junk);
                            s.getOutputStream().write(junk);
                            assertClosedByServer(s);
                        }
                    }
                    // Random bytes after the handshake: GOAWAY, then the link closes.
                    try (RawTlsPeer peer = new RawTlsPeer(address, fingerprint)) {
                        peer.hello(credential);
                        byte[] junk = new byte[4096];
                        random.nextBytes(junk);
                        junk[0] = 1;
                        junk[1] = 0x7E; // an unknown frame type, for a certain answer
                        peer.send(junk);
                        assertEquals(ErrorCode.UNKNOWN_FRAME_TYPE, goAway(peer.readToEnd()));
                    }
                    // An oversized frame: refused from its header alone.
                    try (RawTlsPeer peer = new RawTlsPeer(address, fingerprint)) {
                        peer.hello(credential);
                        ByteBuffer header = ByteBuffer.allocate(Wire.HEADER_BYTES);
                        header.put((byte) 1).put((byte) 6).putShort((short) 0).putInt(1).putInt(16 << 20).putLong(0);
                        peer.send(header.array());
                        assertEquals(ErrorCode.FRAME_TOO_LARGE, goAway(peer.readToEnd()));
                    }
                    // A truncated frame, then the peer vanishes.
                    try (RawTlsPeer peer = new RawTlsPeer(address, fingerprint)) {
                        peer.hello(credential);
                        peer.send(new byte[] {1, 6, 0, 0, 0, 0, 0, 1, 0, 0});
                    }
                    // The good client's session id with its credential but no session secret (findings 4 and 5:
                    // whoever can read one connection's RESUME, or learned the id, gets nothing): AUTH_FAILED.
                    try (RawTlsPeer peer = new RawTlsPeer(address, fingerprint)) {
                        Resume forged = new Resume(SessionId.of(java.util.HexFormat.of().parseHex(good.sessionId())), 0, 0,
                                1_000, new byte[32], credential);
                        ByteBuffer frame = ByteBuffer.allocate(FrameEncoder.resumeSize(forged));
                        FrameEncoder.resume(frame, forged);
                        peer.send(frame.array());
                        assertEquals(ErrorCode.AUTH_FAILED, goAway(peer.readToEnd()));
                    }
                    // A flood of OPENs beyond the stream limit: the excess is refused, one OPEN_FAIL each.
                    RawTlsPeer flood = new RawTlsPeer(address, fingerprint);
                    held.add(flood);
                    flood.hello(credential);
                    int opens = MAX_STREAMS + 200;
                    ByteBuffer frames = ByteBuffer.allocate(opens * FrameEncoder.openSize("echo"));
                    for (int i = 0; i < opens; i++) {
                        FrameEncoder.open(frames, (long) i * FrameEncoder.openSize("echo"), 1 + 2 * i, "echo");
                    }
                    flood.send(frames.array());
                    assertEquals(200, countStreamLimitRefusals(flood.in, 200));
                    // A peer that never reads: a stream from a backend that never stops, and a closed window.
                    RawTlsPeer deaf = new RawTlsPeer(address, fingerprint);
                    held.add(deaf);
                    deaf.hello(credential);
                    ByteBuffer open = ByteBuffer.allocate(FrameEncoder.openSize("source"));
                    FrameEncoder.open(open, 0, 1, "source");
                    deaf.send(open.array());
                    // One byte per second: the handshake timeout (10 s) ends it.
                    try (Socket slow = new Socket(address.getAddress(), address.getPort())) {
                        slow.setSoTimeout(1000);
                        long start = System.nanoTime();
                        boolean closed = false;
                        for (int i = 0; i < 20 && !closed; i++) {
                            try {
                                slow.getOutputStream().write(0x16);
                                closed = slow.getInputStream().read() < 0;
                            } catch (java.net.SocketTimeoutException stillOpen) {
                                // a second passed
                            } catch (IOException reset) {
                                closed = true;
                            }
                        }
                        assertTrue(closed, "the slow handshake was cut off");
                        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(16), "within the handshake timeout");
                    }
                    // The good client goes on transferring while every attack is held open.
                    Await.until(Duration.ofSeconds(30), "three good transfers under attack", () -> goodTransfers.get() >= 3);
                } finally {
                    attacking.set(false);
                    goodTraffic.join(TimeUnit.SECONDS.toMillis(60));
                    for (Socket s : halfOpen) {
                        s.close();
                    }
                    for (AutoCloseable c : held) {
                        c.close();
                    }
                }
                assertTrue(goodFailures.isEmpty(), "the good client never failed: " + goodFailures);
                assertTrue(goodTransfers.get() >= 3, "the good client kept transferring: " + goodTransfers.get());
                long heap = io.roamtun.bench.Processes.heapUsedAfterGc(server.pid());
                assertTrue(heap > 0 && heap < 96L << 20, "server heap after GC " + heap + " bytes, under the 96 MiB cap");
                assertTrue(ProcessHandle.of(server.pid()).map(ProcessHandle::isAlive).orElse(false), "server alive:\n"
                        + server.output());
            }
        }
    }

    /**
     * Peers that hoard: each opens streams from a backend that never stops and never reads or acknowledges
     * a byte, so every byte the server reads for them stays in its replay buffer. Six of them would hold
     * 48 MiB of direct memory; the server's direct memory is capped at 40 MiB and its buffer budget at
     * 8 MiB. The budget holds, a well-behaved client keeps moving checked data, once the minimums half is
     * full a new session is refused with LIMIT_EXCEEDED, and when the hoarders' sessions expire their
     * memory comes back.
     */
    @Test
    @Timeout(180)
    void bufferMemoryStaysWithinTheAgentsBudgetWhilePeersHoardIt(@TempDir Path tmp) throws Exception {
        Secured secured = Secured.create(tmp);
        String credential = secured.credential();
        String fingerprint = secured.fingerprint();
        try (Backends.Server echo = Backends.echo();
             Backends.Server source = endlessSource();
             AgentProcess server = startServer(secured, List.of("-Xmx96m", "-XX:MaxDirectMemorySize=40m", "-XX:+ExitOnOutOfMemoryError"),
                     "--service", "echo=127.0.0.1:" + echo.address().getPort(),
                     "--service", "source=127.0.0.1:" + source.address().getPort(), "--max-buffer-memory", "8MiB",
                     "--session-timeout", "6s")) {
            InetSocketAddress address = listeningAddress(server);
            try (ClientService good = goodClient(address, fingerprint, credential)) {
                List<RawTlsPeer> hoarders = new ArrayList<>();
                try {
                    // 8 MiB budget: 4 MiB of 512 KiB minimums (8 sessions), 4 MiB shared.
                    for (int p = 0; p < 6; p++) {
                        RawTlsPeer hoarder = new RawTlsPeer(address, fingerprint);
                        hoarders.add(hoarder);
                        hoarder.hello(credential);
                        int size = FrameEncoder.openSize("source");
                        ByteBuffer opens = ByteBuffer.allocate(12 * size);
                        for (int i = 0; i < 12; i++) {
                            FrameEncoder.open(opens, (long) i * size, 1 + 2 * i, "source");
                        }
                        hoarder.send(opens.array()); // 12 streams of a 1 MiB window each, never read
                    }
                    server.await("buffer memory used up", 30);
                    int before = 0;
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                    for (int round = 1; System.nanoTime() < until || round <= 3; round++) {
                        transfer(good.forwardAddresses().get(0), round);
                        before = round;
                    }
                    assertTrue(before >= 3, "the good client kept transferring while the others hoarded");
                    // Sessions 1 (good) + 6 hoarders + 1 more fit the minimums half; the next does not.
                    RawTlsPeer eighth = new RawTlsPeer(address, fingerprint);
                    hoarders.add(eighth);
                    eighth.hello(credential);
                    try (RawTlsPeer ninth = new RawTlsPeer(address, fingerprint)) {
                        Hello hello = new Hello(1, 1, 0, 1 << 20, Wire.MAX_PAYLOAD, credential);
                        ByteBuffer b = ByteBuffer.allocate(FrameEncoder.helloSize(hello));
                        FrameEncoder.hello(b, hello);
                        ninth.send(b.array());
                        assertEquals(ErrorCode.LIMIT_EXCEEDED, goAway(ninth.readToEnd()));
                    }
                    server.await("buffer memory is full", 10);
                    // Hoarders leave; their sessions, suspended since they went silent, expire and give their
                    // memory back, and new sessions are welcome again.
                    for (RawTlsPeer h : hoarders) {
                        h.close();
                    }
                    hoarders.clear();
                    server.await("buffer memory back under its budget", 30);
                    try (RawTlsPeer later = new RawTlsPeer(address, fingerprint)) {
                        later.hello(credential);
                    }
                    transfer(good.forwardAddresses().get(0), 1000);
                } finally {
                    for (RawTlsPeer h : hoarders) {
                        h.close();
                    }
                }
                assertTrue(ProcessHandle.of(server.pid()).map(ProcessHandle::isAlive).orElse(false), "server alive:\n"
                        + server.output());
                assertTrue(!server.output().contains("OutOfMemoryError") && !server.output().contains("Direct buffer memory"),
                        "no allocation failed:\n" + server.output());
            }
        }
    }

    /**
     * Bytes a peer was allowed to send (its stream windows) cannot be refused, but they must not push the
     * agent past its budget either. A peer fills four 12 MiB windows towards a backend that never reads
     * (the kernel takes about 4 MiB of each; some 32 MiB would queue), against a 4 MiB budget and 40 MiB of
     * direct memory for everything. First the shared half overflows (logged; new streams are refused while
     * it does); at the queues' own bound (the limit), the session holding more than its share gets the
     * streams that bring more reset with STREAM_LIMIT. The server carries on, and no allocation fails.
     */
    @Test
    @Timeout(120)
    void bytesPeersWereAllowedToSendCannotPushTheServerPastItsBudget(@TempDir Path tmp) throws Exception {
        Secured secured = Secured.create(tmp);
        CountDownLatch over = new CountDownLatch(1);
        try (Backends.Server hold = new Backends.Server(connection -> {
                 try {
                     over.await(); // accepts, never reads
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             });
             AgentProcess server = startServer(secured, List.of("-Xmx96m", "-XX:MaxDirectMemorySize=40m", "-XX:+ExitOnOutOfMemoryError"),
                     "--service", "hold=127.0.0.1:" + hold.address().getPort(), "--max-buffer-memory", "4MiB",
                     "--stream-window", "12MiB")) {
            InetSocketAddress address = listeningAddress(server);
            try (RawTlsPeer peer = new RawTlsPeer(address, secured.fingerprint())) {
                int window = peer.hello(secured.credential()).initialWindow();
                FrameWriter frames = new FrameWriter();
                for (int i = 0; i < 4; i++) {
                    frames.open(1 + 2 * i, "hold");
                    frames.data(1 + 2 * i, window); // all the window allows, before OPEN_OK ("0-RTT")
                }
                byte[] all = frames.take();
                Thread sender = new Thread(() -> {
                    try {
                        peer.send(all);
                    } catch (IOException e) {
                        // the server may close first; what it logged is checked below
                    }
                }, "hoarding-peer");
                sender.setDaemon(true);
                sender.start();
                server.await("buffer memory over its budget", 30);
                server.await("reset: its peer's bytes would take the queues for slow local sockets past --max-buffer-memory 4MiB", 30);
                assertEquals(ErrorCode.STREAM_LIMIT.name(), reset(peer.in));
                sender.join(30_000);
            } finally {
                over.countDown();
            }
            assertTrue(ProcessHandle.of(server.pid()).map(ProcessHandle::isAlive).orElse(false), server.output());
            assertTrue(!server.output().contains("OutOfMemoryError") && !server.output().contains("Direct buffer memory"),
                    "no allocation failed:\n" + server.output());
        }
    }

    /** Reads frames until a RESET; returns its code's name. */
    private static String reset(InputStream in) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(Wire.MAX_FRAME_BYTES * 2);
        String[] found = new String[1];
        FrameDecoder decoder = new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD);
        AnyFrame handler = new AnyFrame() {
            @Override
            public void onReset(int id, ErrorCode code) {
                found[0] = code.name();
            }
        };
        while (found[0] == null) {
            int n = in.read(buf.array(), buf.position(), buf.remaining());
            if (n < 0) {
                throw new IOException("closed before a RESET");
            }
            buf.position(buf.position() + n).flip();
            decoder.decode(buf, handler);
            buf.compact();
        }
        return found[0];
    }

    /** Sequenced frames as a client writes them, with their running sequence offsets. */
    private static final class FrameWriter {
        private final ByteBuffer buf = ByteBuffer.allocate(50 << 20);
        private long seq;

        void open(int streamId, String service) {
            FrameEncoder.open(buf, seq, streamId, service);
            seq += FrameEncoder.openSize(service);
        }

        void data(int streamId, int bytes) {
            for (int sent = 0; sent < bytes; ) {
                int n = Math.min(Wire.MAX_PAYLOAD, bytes - sent);
                FrameEncoder.dataHeader(buf, seq, streamId, n);
                buf.put(new byte[n]);
                seq += Wire.HEADER_BYTES + n;
                sent += n;
            }
        }

        byte[] take() {
            byte[] out = Arrays.copyOf(buf.array(), buf.position());
            buf.clear();
            return out;
        }
    }

    /** Reads frames until OPEN_FAIL for {@code streamId}; returns its code's name and message. */
    private static String[] openFail(InputStream in, int streamId) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(Wire.MAX_FRAME_BYTES * 2);
        String[] found = new String[2];
        FrameDecoder decoder = new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD);
        AnyFrame handler = new AnyFrame() {
            @Override
            public void onOpenFail(int id, ErrorCode code, String message) {
                if (id == streamId) {
                    found[0] = code.name();
                    found[1] = message;
                }
            }
        };
        while (found[0] == null) {
            int n = in.read(buf.array(), buf.position(), buf.remaining());
            if (n < 0) {
                throw new IOException("closed before OPEN_FAIL for stream " + streamId);
            }
            buf.position(buf.position() + n).flip();
            decoder.decode(buf, handler);
            buf.compact();
        }
        return found;
    }

    /** A server directory made by {@code init}, with one client, "laptop". */
    /**
     * Half-open TLS connections from one address (each sent part of a ClientHello, then nothing) beyond
     * --max-pending must not lock others out: the flood evicts its own oldest, and a client from another
     * address completes its handshake at once (before, every slot was held and it was reset).
     */
    @Test
    @Timeout(120)
    void halfOpenHandshakesFromOneAddressDoNotLockOthersOut(@TempDir Path tmp) throws Exception {
        Secured secured = Secured.create(tmp);
        try (Backends.Server echo = Backends.echo();
             AgentProcess server = startServer(secured, List.of("-Xmx96m"), "--service", "echo=127.0.0.1:" + echo.address().getPort(),
                     "--max-pending", "100")) {
            InetSocketAddress address = listeningAddress(server);
            List<Socket> flood = new ArrayList<>();
            try {
                byte[] partialClientHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
                for (int i = 0; i < 200; i++) {
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                    s.connect(address, 5000);
                    s.getOutputStream().write(partialClientHello);
                    flood.add(s);
                }
                // A client from 127.0.0.1 while the flood holds its share: handshake, HELLO, WELCOME.
                try (RawTlsPeer good = new RawTlsPeer(address, secured.fingerprint())) {
                    assertNotNull(good.hello(secured.credential()), "WELCOME");
                }
                server.await("too many connections in their handshake", 30); // the flood did go past its share
            } finally {
                for (Socket s : flood) {
                    s.close();
                }
            }
            assertTrue(server.isAlive(), server.output());
        }
    }

    private record Secured(Path dir, String credential, String fingerprint) {
        static Secured create(Path tmp) throws Exception {
            ServerDirectory dir = new ServerDirectory(tmp.resolve("server"));
            dir.create(0, 30);
            String credential = ClientCredentials.add(dir.clients().file(), "laptop", List.of());
            return new Secured(dir.dir(), credential, dir.fingerprint());
        }
    }

    /** A server-service process with the key and clients of {@code secured}, listening on a free loopback port. */
    private static AgentProcess startServer(Secured secured, List<String> jvmOptions, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--dir", secured.dir().toString(), "--listen", "127.0.0.1:0"));
        all.addAll(List.of(args));
        return AgentProcess.startWith(jvmOptions, "io.roamtun.server.ServerServiceMain", all.toArray(String[]::new));
    }

    private static InetSocketAddress listeningAddress(AgentProcess server) throws Exception {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30)));
    }

    /** A backend that writes to every connection as fast as it can, forever. */
    private static Backends.Server endlessSource() throws IOException {
        return new Backends.Server(connection -> {
            OutputStream out = connection.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            while (true) {
                out.write(chunk);
            }
        });
    }

    /** A client-service forwarding "echo", connected to {@code server} before it is returned. */
    private static ClientService goodClient(InetSocketAddress server, String fingerprint, String credential) throws Exception {
        LinkSettings link = LinkSettings.forDeadAfter(Duration.ofSeconds(3), Duration.ofSeconds(10));
        ClientService good = ClientService.start(new ClientConfig(server,
                List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                SessionSettings.defaults(), link, null, ClientConfig.DEFAULT_POLL_INTERVAL, PathPolicy.any(), null,
                ClientTls.pinned(fingerprint, TlsProviders.Mode.AUTO), credential));
        try {
            Await.until(Duration.ofSeconds(15), "the good client to connect", good::isConnected);
        } catch (AssertionError notConnected) {
            good.close();
            throw notConnected;
        }
        return good;
    }

    /** 4 MiB of pseudo-random bytes through the echo, checked by SHA-256. */
    private static void transfer(InetSocketAddress app, int seed) throws Exception {
        try (Socket s = new Socket(app.getAddress(), app.getPort())) {
            s.setSoTimeout(30_000);
            Payload sent = new Payload(seed, 4 << 20);
            byte[] all = new byte[4 << 20];
            sent.next(all);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(all);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            byte[] back = s.getInputStream().readAllBytes();
            writer.join();
            if (!Arrays.equals(MessageDigest.getInstance("SHA-256").digest(all), MessageDigest.getInstance("SHA-256").digest(back))) {
                throw new AssertionError("echo differs: " + back.length + " bytes back");
            }
        }
    }

    private static void assertClosedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // TLS alert bytes, then the close
            }
        } catch (java.net.SocketException reset) {
            // closed with a reset: closed all the same
        }
    }

    private static ErrorCode goAway(byte[] bytes) throws Exception {
        ErrorCode[] code = new ErrorCode[1];
        new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(bytes), new AnyFrame() {
            @Override
            public void onGoAway(ErrorCode c, String message) {
                code[0] = c;
            }
        });
        return code[0];
    }

    private static int countStreamLimitRefusals(InputStream in, int expected) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(Wire.MAX_FRAME_BYTES * 2);
        int[] refused = new int[1];
        FrameDecoder decoder = new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD);
        AnyFrame handler = new AnyFrame() {
            @Override
            public void onOpenFail(int streamId, ErrorCode code, String message) {
                if (code == ErrorCode.STREAM_LIMIT) {
                    refused[0]++;
                }
            }
        };
        while (refused[0] < expected) {
            int n = in.read(buf.array(), buf.position(), buf.remaining());
            if (n < 0) {
                break;
            }
            buf.position(buf.position() + n).flip();
            decoder.decode(buf, handler);
            buf.compact();
        }
        return refused[0];
    }
}
