package io.roamtun.engine.session;

import static io.roamtun.engine.session.OnLoop.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Wire;
import io.roamtun.testing.Await;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The new-connection path costs no selector turn it does not need: the app's first bytes leave with its
 * OPEN, a loopback connect is done at once, and OPEN_OK (which the opener does not wait for) rides with the
 * next write instead of a write, and a wake-up of the peer, of its own.
 */
class NewConnectionPathTest {
    private static final LinkSettings LINK = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));

    private static Session session(EventLoop loop, Role role, ServiceDirectory services) {
        return new Session(loop, role, SessionSettings.defaults(), new BufferPool(256 * 1024, 8), new BufferPool(16 * 1024, 8), null,
                services, (s, r) -> { }, role.name().toLowerCase());
    }

    @Test
    void aLoopbackConnectIsDoneAtOnceAndItsOpenOkWaitsForTheNextWrite() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start();
             ServerSocketChannel backend = ServerSocketChannel.open()) {
            backend.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)); // the kernel completes connects
            RecordingTransport wire = new RecordingTransport();
            Session server = on(loop, () -> {
                Session s = session(loop, Role.SERVER, new ServiceDirectory(Map.of("echo", (InetSocketAddress) backend.getLocalAddress())));
                s.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""),
                        new Link(loop, wire, Role.SERVER, LINK, (l, c, r, b) -> { }, "s0"), "");
                return s;
            });
            Await.until(Duration.ofSeconds(5), "WELCOME written", () -> wire.frames().contains(FrameType.WELCOME));
            CompletableFuture<List<FrameType>> writtenByTurnEnd = new CompletableFuture<>();
            String state = on(loop, () -> {
                server.frames().admitSequenced(FrameType.OPEN, 0, FrameEncoder.openSize("echo"));
                server.frames().onOpen(1, "echo");
                // Queued after any flush this turn owes, and in the same turn: before the ACK-delay timer can run.
                loop.atEndOfTurn(() -> {
                    try {
                        writtenByTurnEnd.complete(wire.frames());
                    } catch (Exception e) {
                        writtenByTurnEnd.completeExceptionally(e);
                    }
                });
                return server.describeStreams().get(0);
            });
            assertTrue(state.contains("(echo, OPEN)"), "connected in the turn the OPEN arrived, not a selector turn later: " + state);
            assertEquals(List.of(FrameType.WELCOME), writtenByTurnEnd.get(10, TimeUnit.SECONDS), "no write for the OPEN_OK alone");
            Await.until(Duration.ofSeconds(5), "the OPEN_OK within the ACK delay", () -> wire.frames().contains(FrameType.OPEN_OK));
        }
    }

    @Test
    void theAppsFirstBytesLeaveWithItsOpen() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start();
             ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Session client = on(loop, () -> { // established: it knows the server's window
                Session server = session(loop, Role.SERVER, ServiceDirectory.empty());
                Session c = session(loop, Role.CLIENT, ServiceDirectory.empty());
                c.acceptWelcome(server.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""),
                        new Link(loop, new RecordingTransport(), Role.SERVER, LINK, (l, code, r, b) -> { }, "s0"), ""),
                        new Link(loop, new RecordingTransport(), Role.CLIENT, LINK, (l, code, r, b) -> { }, "c0"));
                return c;
            });
            try (Socket app = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listener.getLocalAddress()).getPort())) {
                OutputStream out = app.getOutputStream();
                out.write("hello".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                SocketChannel accepted = listener.accept();
                accepted.configureBlocking(false);
                long expected = FrameEncoder.openSize("echo") + Wire.HEADER_BYTES + 5;
                Await.until(Duration.ofSeconds(5), "the app's bytes in the accepted socket", () -> readable(accepted));
                long head = on(loop, () -> {
                    client.openStream(accepted, "echo");
                    return client.replay().head();
                });
                assertEquals(expected, head, "OPEN and a DATA of the 5 bytes, queued in the accept's own turn");
            }
        }
    }

    /**
     * Frames that found the replay buffer full wait for room; when the peer's ACK makes room they are
     * written and must leave at once, not with whatever the link writes next (a PING, ten seconds later
     * here). A review of the lazy OPEN_OK found them waiting: only reads used to flush. Here the frames are
     * OPEN_FAILs, 900 of them with long messages, against a 160 KiB replay buffer.
     */
    @Test
    void framesThatWaitedForRoomLeaveWhenTheAckMakesRoom() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            RecordingTransport wire = new RecordingTransport();
            SessionSettings tight = new SessionSettings(160 << 10, 512 << 10, 1000, Duration.ofSeconds(5), 64L << 20);
            Session server = on(loop, () -> {
                Session s = new Session(loop, Role.SERVER, tight, new BufferPool(80 * 1024, 8), new BufferPool(16 * 1024, 8), null,
                        ServiceDirectory.empty(), (x, r) -> { }, "server");
                s.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""),
                        new Link(loop, wire, Role.SERVER, LINK, (l, c, r, b) -> { }, "s0"), "");
                return s;
            });
            String unknown = "x".repeat(200);
            int refusals = 900;
            on(loop, () -> {
                for (int i = 0; i < refusals; i++) {
                    server.frames().onOpen(1 + 2 * i, unknown + i);
                }
                return null;
            });
            OnLoop.afterTurn(loop); // the turn that wrote what fitted is over
            int first = wire.openFails();
            assertTrue(first > 0 && first < refusals, "the replay buffer held only part of them: " + first);
            on(loop, () -> {
                server.frames().onAck(server.replay().head()); // the peer has all that was written: room
                return null;
            });
            Await.until(Duration.ofSeconds(5), "every OPEN_FAIL on the link, without waiting for a PING",
                    () -> wire.openFails() == refusals);
        }
    }

    /** Whether bytes wait in the socket, without taking them (a one-byte peek through a non-blocking read is not possible: poll it). */
    private static boolean readable(SocketChannel channel) throws Exception {
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
            boolean ready = selector.selectNow() > 0;
            channel.keyFor(selector).cancel();
            selector.selectNow();
            return ready;
        }
    }
}
