package io.roamtun.engine.session;

import static io.roamtun.engine.session.OnLoop.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.resend.ReplayBuffer;
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
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two session-wide rules a review found broken: stream ids reach the peer in increasing order even when
 * the replay buffer is full (a short OPEN must not overtake a longer one waiting for room), and a session
 * that ends resets its apps' connections instead of ending them cleanly after dropping bytes.
 */
class SessionEndAndOrderTest {
    private static final LinkSettings LINK = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));
    private static final int SEGMENT = 256 * 1024;

    private static Session session(EventLoop loop, Role role, SessionSettings settings) {
        return new Session(loop, role, settings, new BufferPool(SEGMENT, 8), new BufferPool(16 * 1024, 8), null,
                ServiceDirectory.empty(), (s, r) -> { }, role.name().toLowerCase());
    }

    /** A client session established with a server session, both over sinks. */
    private static Session[] pair(EventLoop loop, SessionSettings clientSettings) throws ProtocolException {
        Session server = session(loop, Role.SERVER, SessionSettings.defaults());
        Session client = session(loop, Role.CLIENT, clientSettings);
        Welcome welcome = server.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""),
                new Link(loop, new SinkTransport(), Role.SERVER, LINK, (l, c, r, p) -> { }, "s0"), "");
        client.acceptWelcome(welcome, new Link(loop, new SinkTransport(), Role.CLIENT, LINK, (l, c, r, p) -> { }, "c0"));
        return new Session[] {client, server};
    }

    /** Stream ids of the OPEN frames in [from, to) of the replay buffer, in the order they go out. */
    private static List<Integer> opensIn(ReplayBuffer replay, long from, long to) throws ProtocolException {
        ByteBuffer[] views = new ByteBuffer[64];
        int n = replay.views(from, to, views, 0, views.length);
        ByteBuffer all = ByteBuffer.allocate((int) (to - from));
        for (int i = 0; i < n; i++) {
            all.put(views[i].duplicate());
        }
        all.flip();
        List<Integer> ids = new ArrayList<>();
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(all, new AnyFrame() {
            @Override
            public void onOpen(int streamId, String service) {
                ids.add(streamId);
            }
        });
        return ids;
    }

    /**
     * Fills the replay buffer's last allowed segment with valid sequenced frames (refusals of ids nobody
     * opened; the sinks never deliver them) until fewer than {@code below} bytes are left, at least 100.
     */
    private static void fillControlRoom(ReplayBuffer replay, long capacity, int below) {
        while (true) {
            ByteBuffer probe = replay.reserveFrame(FrameEncoder.messageFrameSize(""));
            int room = probe.capacity() - probe.position();
            boolean lastSegment = replay.footprint() == capacity;
            int size;
            if (lastSegment) {
                if (room < below) {
                    return;
                }
                size = Math.min(FrameEncoder.MAX_CONTROL_FRAME_BYTES, room - 100);
            } else {
                size = Math.min(FrameEncoder.MAX_CONTROL_FRAME_BYTES, room);
                if (room - size > 0 && room - size < FrameEncoder.messageFrameSize("")) {
                    size = room - FrameEncoder.messageFrameSize("");
                }
            }
            String message = "x".repeat(size - FrameEncoder.messageFrameSize(""));
            FrameEncoder.openFail(replay.reserveFrame(size), replay.head(), 2, ErrorCode.CANCELLED, message);
            replay.commitFrame(size);
        }
    }

    @Test
    void opensReachThePeerInStreamIdOrderWhileTheReplayBufferIsFull() throws Exception {
        String longName = "a".repeat(255);
        int longOpen = FrameEncoder.openSize(longName);
        long capacity = 1 << 20;
        SessionSettings clientSettings = new SessionSettings(capacity, 512 << 10, 65_536, Duration.ofSeconds(5), 256L << 20);
        List<SocketChannel> sockets = new ArrayList<>();
        try (EventLoop loop = new EventLoop("open-order").start();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < 3; i++) {
                sockets.add(SocketChannel.open(listener.getLocalAddress()));
                SocketChannel accepted = listener.accept();
                accepted.configureBlocking(false);
                sockets.add(accepted);
            }
            on(loop, () -> {
                Session[] pair = pair(loop, clientSettings);
                Session client = pair[0];
                Session server = pair[1];
                ReplayBuffer replay = client.replay();
                client.openStream(sockets.get(1), "s"); // stream 1: a bulk upload fills the data segments
                client.frames().onOpenOk(1);
                ByteBuffer slot;
                while ((slot = replay.reserveData(Wire.MAX_PAYLOAD)) != null) {
                    replay.commitData(1, slot.remaining());
                }
                fillControlRoom(replay, capacity, longOpen);
                long before = replay.head();
                client.openStream(sockets.get(3), longName); // stream 3: its OPEN does not fit, it waits
                client.openStream(sockets.get(5), "s");      // stream 5: its OPEN would fit, it must wait behind
                long whileFull = replay.head();
                client.frames().onAck(whileFull);                     // room again: both go out
                List<Integer> order = new ArrayList<>(opensIn(replay, before, whileFull));
                order.addAll(opensIn(replay, whileFull, replay.head()));
                assertEquals(List.of(3, 5), order, "OPENs in stream id order");
                server.frames().onOpen(1, "nosuch");
                for (int id : order) {
                    server.frames().onOpen(id, "nosuch"); // the server refuses an id at or below one it saw: BAD_STREAM_ID
                }
                return null;
            });
        } finally {
            for (SocketChannel s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void dataNeverTakesTheControlReserve() {
        // 1 MiB: three segments for data and the reserve's; 1152 KiB (not a whole number of segments) too.
        for (long capacity : new long[] {1 << 20, 1152 * 1024}) {
            ReplayBuffer replay = new ReplayBuffer(new BufferPool(SEGMENT, 8), capacity);
            ByteBuffer slot;
            while ((slot = replay.reserveData(Wire.MAX_PAYLOAD)) != null) {
                replay.commitData(1, slot.remaining());
            }
            assertEquals(3L * SEGMENT, replay.footprint(), "data fills all but the reserve segment, capacity " + capacity);
            ByteBuffer control = replay.reserveFrame(FrameEncoder.WINDOW_UPDATE_FRAME_BYTES);
            FrameEncoder.windowUpdate(control, replay.head(), 1, 1);
            replay.commitFrame(FrameEncoder.WINDOW_UPDATE_FRAME_BYTES);
            assertEquals(4L * SEGMENT, replay.footprint(), "a control frame opens the reserve");
            assertEquals(null, replay.reserveData(Wire.MAX_PAYLOAD), "data stays out of it");
            assertTrue(!replay.hasDataRoom() && !replay.canTakeData());
        }
    }

    /** The app's socket takes little; 448 KiB of the backend's reply arrive; then the session ends with {@code code}. */
    private static long endWithBytesQueued(EventLoop loop, SocketChannel accepted, ErrorCode code, int chunks) throws Exception {
        long[] queued = new long[1];
        on(loop, () -> {
            Session client = pair(loop, SessionSettings.defaults())[0];
            client.openStream(accepted, "svc");
            client.frames().onOpenOk(1);
            for (int i = 0; i < chunks; i++) {
                client.frames().onData(1, ByteBuffer.allocate(64 * 1024));
            }
            String line = client.describeStreams().get(0);
            queued[0] = Long.parseLong(line.substring(line.indexOf("queued=") + 7).trim());
            client.onGoAway(code, "the peer ends the session", true);
            return null;
        });
        return queued[0];
    }

    @Test
    void anAppWhoseBytesWereDroppedSeesAResetNotACleanEnd() throws Exception {
        try (EventLoop loop = new EventLoop("goaway-reset").start();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel app = SocketChannel.open()) {
            app.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            app.connect(listener.getLocalAddress());
            SocketChannel accepted = listener.accept();
            accepted.configureBlocking(false);
            accepted.setOption(StandardSocketOptions.SO_SNDBUF, 4096);
            assertTrue(endWithBytesQueued(loop, accepted, ErrorCode.SHUTTING_DOWN, 7) > 0, "bytes were queued for the app");
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            assertThrows(IOException.class, () -> {
                while (app.read(buf) >= 0) {
                    buf.clear();
                }
            }, "a clean end of stream after bytes were dropped");
        }
    }

    @Test
    void aSessionEndedByAnErrorResetsEvenIdleStreams() throws Exception {
        try (EventLoop loop = new EventLoop("goaway-error").start();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel app = SocketChannel.open(listener.getLocalAddress())) {
            SocketChannel accepted = listener.accept();
            accepted.configureBlocking(false);
            assertEquals(0, endWithBytesQueued(loop, accepted, ErrorCode.PROTOCOL_ERROR, 0));
            assertThrows(IOException.class, () -> app.read(ByteBuffer.allocate(16)));
        }
    }

    @Test
    void evenAPeerShuttingDownInOrderResetsTheStreamsStillOpen() throws Exception {
        // This side cannot see what the peer still held for the app: an open stream ends with a reset.
        try (EventLoop loop = new EventLoop("goaway-shutdown").start();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel app = SocketChannel.open(listener.getLocalAddress())) {
            SocketChannel accepted = listener.accept();
            accepted.configureBlocking(false);
            assertEquals(0, endWithBytesQueued(loop, accepted, ErrorCode.SHUTTING_DOWN, 1), "nothing queued here");
            ByteBuffer buf = ByteBuffer.allocate(128 * 1024);
            assertThrows(IOException.class, () -> {
                while (app.read(buf) >= 0) {
                    buf.clear();
                }
            });
        }
    }
}
