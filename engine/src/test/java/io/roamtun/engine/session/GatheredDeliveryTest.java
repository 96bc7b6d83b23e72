package io.roamtun.engine.session;

import static io.roamtun.engine.session.OnLoop.on;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.AnyFrame;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionFrameHandler;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DATA payloads decoded from one buffer are written to their local sockets when the decode ends, one
 * gathering write per stream ({@link GatheredDelivery}): each stream's bytes arrive whole and in order, a FIN
 * in the same buffer comes after them, and a decode that fails half-way still delivers what it had admitted.
 */
class GatheredDeliveryTest {
    private static final LinkSettings LINK = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));

    /** A loop, and two apps connected to the sockets a session writes to for streams 1 and 3. */
    private static final class Apps implements AutoCloseable {
        final EventLoop loop;
        final ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final SocketChannel app1 = SocketChannel.open(listener.getLocalAddress());
        final SocketChannel side1 = listener.accept();
        final SocketChannel app3 = SocketChannel.open(listener.getLocalAddress());
        final SocketChannel side3 = listener.accept();

        Apps(String name) throws IOException {
            side1.configureBlocking(false);
            side3.configureBlocking(false);
            loop = new EventLoop(name).start();
        }

        @Override
        public void close() throws IOException {
            loop.close();
            for (java.io.Closeable c : List.of(app1, side1, app3, side3, listener)) {
                c.close();
            }
        }
    }

    /** A client session established over sinks, with streams 1 and 3 open to the two given app sockets. */
    private static Session clientWithStreams(EventLoop loop, SocketChannel app1, SocketChannel app3) throws Exception {
        Session server = new Session(loop, Role.SERVER, SessionSettings.defaults(), new BufferPool(256 * 1024, 8),
                new BufferPool(16 * 1024, 8), null, ServiceDirectory.empty(), (s, r) -> { }, "server");
        Session client = new Session(loop, Role.CLIENT, SessionSettings.defaults(), new BufferPool(256 * 1024, 8),
                new BufferPool(16 * 1024, 8), null, ServiceDirectory.empty(), (s, r) -> { }, "client");
        Welcome welcome = server.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""),
                new Link(loop, new SinkTransport(), Role.SERVER, LINK, (l, c, r, p) -> { }, "s0"), "");
        client.acceptWelcome(welcome, new Link(loop, new SinkTransport(), Role.CLIENT, LINK, (l, c, r, p) -> { }, "c0"));
        client.openStream(app1, "svc");
        client.openStream(app3, "svc");
        client.frames().onOpenOk(1);
        client.frames().onOpenOk(3);
        return client;
    }

    /** Sequenced frames as the server would send them, from offset 0. */
    private static final class Frames {
        final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long seq;

        Frames data(int stream, byte[] payload) {
            FrameEncoder.dataHeader(buf, seq, stream, payload.length);
            buf.put(payload);
            seq += Wire.HEADER_BYTES + payload.length;
            return this;
        }

        Frames fin(int stream) {
            FrameEncoder.fin(buf, seq, stream);
            seq += FrameEncoder.EMPTY_FRAME_BYTES;
            return this;
        }

        ByteBuffer flipped() {
            return buf.flip();
        }
    }

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Decodes {@code frames} into the client's table and records, after each DATA, how many payloads were being kept. */
    private static void decode(Session client, ByteBuffer frames, List<Integer> keptAfterEachData) throws ProtocolException {
        StreamTable table = client.frames();
        SessionFrameHandler recording = new DelegatingHandler(table) {
            @Override
            public void onData(int streamId, ByteBuffer payload) throws ProtocolException {
                table.onData(streamId, payload);
                keptAfterEachData.add(table.gathered().kept());
            }
        };
        new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD).decode(frames, new AnyFrame() { }, recording);
    }

    /** What the app reads, up to {@code atMost} bytes or its end; a read that waits 5 s fails the test. */
    private static byte[] readToEnd(SocketChannel app, int atMost) throws Exception {
        app.socket().setSoTimeout(5_000);
        InputStream in = app.socket().getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        int n;
        while (out.size() < atMost && (n = in.read(chunk, 0, Math.min(chunk.length, atMost - out.size()))) > 0) {
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    @Timeout(30)
    void interleavedStreamsArriveWholeAndInOrderWithTheFinAfterTheData() throws Exception {
        Random r = new Random(7);
        byte[] a1 = random(r, 40_000), a2 = random(r, 25_000), b1 = random(r, 30_000), b2 = random(r, 1), b3 = random(r, 12_345);
        try (Apps apps = new Apps("gathered")) {
            EventLoop loop = apps.loop;
            List<Integer> kept = new ArrayList<>();
            on(loop, () -> {
                Session client = clientWithStreams(loop, apps.side1, apps.side3);
                decode(client, new Frames().data(1, a1).data(3, b1).data(1, a2).data(3, b2).fin(1).data(3, b3).flipped(), kept);
                assertEquals(0, client.frames().gathered().kept(), "nothing is kept once the decode is over");
                return null;
            });
            // Stream 1's two payloads were kept until its FIN, which wrote everything kept first; then 3's last one.
            assertEquals(List.of(1, 2, 3, 4, 1), kept, "payloads kept during the decode, after each DATA");
            assertArrayEquals(concat(a1, a2), readToEnd(apps.app1, Integer.MAX_VALUE), "stream 1, then its end");
            assertArrayEquals(concat(b1, b2, b3), readToEnd(apps.app3, b1.length + b2.length + b3.length), "stream 3");
        }
    }

    @Test
    @Timeout(30)
    void aDecodeThatFailsHalfWayStillDeliversWhatItAdmitted() throws Exception {
        Random r = new Random(8);
        byte[] a1 = random(r, 50_000), a2 = random(r, 50_000);
        try (Apps apps = new Apps("gathered-fail")) {
            EventLoop loop = apps.loop;
            List<Integer> kept = new ArrayList<>();
            ProtocolException e = on(loop, () -> {
                Session client = clientWithStreams(loop, apps.side1, apps.side3);
                Frames frames = new Frames().data(1, a1).data(1, a2);
                frames.seq += 1; // the next frame claims an offset past what was sent: a connection error
                frames.data(1, new byte[10]);
                return assertThrows(ProtocolException.class, () -> decode(client, frames.flipped(), kept));
            });
            assertEquals(ErrorCode.SEQUENCE_ERROR, e.code());
            assertEquals(List.of(1, 2), kept, "both payloads were kept when the decode failed");
            assertArrayEquals(concat(a1, a2), readToEnd(apps.app1, a1.length + a2.length));
        }
    }

    @Test
    @Timeout(30)
    void outsideADecodeDataIsWrittenAtOnce() throws Exception {
        try (Apps apps = new Apps("gathered-direct")) {
            EventLoop loop = apps.loop;
            on(loop, () -> {
                Session client = clientWithStreams(loop, apps.side1, apps.side3);
                client.frames().onData(1, ByteBuffer.wrap(new byte[] {1, 2, 3}));
                assertEquals(0, client.frames().gathered().kept(), "a payload handed over outside a decode is not kept");
                return null;
            });
            assertArrayEquals(new byte[] {1, 2, 3}, readToEnd(apps.app1, 3));
        }
    }
    /**
     * More payloads for one stream in one decode than are kept at most, to an app that is not reading: the
     * write that makes room leaves bytes queued, and what comes after stays behind them.
     */
    @Test
    @Timeout(30)
    void moreThanTheKeptMaximumToASlowAppStayInOrder() throws Exception {
        int frames = GatheredDelivery.MAX_KEPT * 2 + 10;
        Random r = new Random(9);
        byte[][] parts = new byte[frames][];
        for (int i = 0; i < frames; i++) {
            parts[i] = random(r, 900);
        }
        try (Apps apps = new Apps("gathered-order")) {
            apps.side1.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4096); // the socket fills at once
            List<Integer> kept = new ArrayList<>();
            on(apps.loop, () -> {
                Session client = clientWithStreams(apps.loop, apps.side1, apps.side3);
                Frames f = new Frames();
                for (byte[] part : parts) {
                    f.data(1, part);
                }
                decode(client, f.flipped(), kept);
                assertTrue(client.describeStreams().stream().anyMatch(l -> l.startsWith("stream 1 ") && !l.endsWith("queued=0")),
                        "bytes were left queued by the write that made room: " + client.describeStreams());
                return null;
            });
            assertEquals(GatheredDelivery.MAX_KEPT, kept.stream().mapToInt(Integer::intValue).max().orElse(0),
                    "the kept maximum was reached");
            assertArrayEquals(concat(parts), readToEnd(apps.app1, frames * 900), "every byte, in order");
        }
    }
}
