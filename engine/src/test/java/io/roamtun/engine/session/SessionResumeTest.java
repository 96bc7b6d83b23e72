package io.roamtun.engine.session;

import static io.roamtun.engine.session.OnLoop.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.transport.LinkTransport;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session's side of resume and of a lying peer, with links over an in-memory transport: the nonce
 * rules, the ACK repeated on a new link, and peer input that must end only what it concerns.
 */
class SessionResumeTest {

    private static final LinkSettings LINK = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));

    private static Link link(EventLoop loop, Role role, LinkTransport transport, String name) {
        return new Link(loop, transport, role, LINK, (l, code, reason, byPeer) -> { }, name);
    }

    private static Session session(EventLoop loop, Role role, SessionSettings settings) {
        return new Session(loop, role, settings, new BufferPool(256 * 1024, 8), new BufferPool(16 * 1024, 8), null,
                ServiceDirectory.empty(), (s, r) -> { }, role.name().toLowerCase());
    }

    /** A client and a server session joined by HELLO / WELCOME over links that go nowhere. */
    private record Pair(Session client, Session server, Link serverLink) {
        static Pair open(EventLoop loop, SessionSettings serverSettings) throws ProtocolException {
            Session server = session(loop, Role.SERVER, serverSettings);
            Session client = session(loop, Role.CLIENT, SessionSettings.defaults());
            Link serverLink = link(loop, Role.SERVER, new RecordingTransport(), "s0");
            Welcome welcome = server.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""), serverLink, "");
            client.acceptWelcome(welcome, link(loop, Role.CLIENT, new RecordingTransport(), "c0"));
            return new Pair(client, server, serverLink);
        }
    }


    /**
     * An ACK sent on the old link after the peer moved the session is dropped with that link; the peer may
     * then hold a full replay buffer and wait for an ACK that never comes. The first write on the new link
     * says it again.
     */
    @Test
    void theFirstWriteOnANewLinkRepeatsTheAck() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            RecordingTransport newTransport = new RecordingTransport();
            Session client = on(loop, () -> {
                Session c = Pair.open(loop, SessionSettings.defaults()).client();
                assertTrue(c.frames().admitSequenced(FrameType.DATA, 0, 1000));
                assertTrue(c.frames().admitSequenced(FrameType.FIN, 1000, 20));
                assertEquals(1020, c.takeDueAck(), "acknowledged on the old link");
                assertEquals(-1, c.takeDueAck());
                c.resumeOn(link(loop, Role.CLIENT, newTransport, "c1"), 0, new byte[16]);
                return c;
            });
            // The new link flushes at the end of the turn that attached it.
            Await.until(Duration.ofSeconds(5), "an ACK on the new link", () -> !on(loop, newTransport::acks).isEmpty());
            assertEquals(List.of(1020L), on(loop, newTransport::acks));
            assertEquals(SessionState.ACTIVE, on(loop, client::state));
        }
    }

    /** A RESUMED for a session that never had a WELCOME (the attempt sent HELLO) is refused, not a crash. */
    @Test
    void aResumedWithoutASessionToResumeIsAProtocolError() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            on(loop, () -> {
                Session fresh = session(loop, Role.CLIENT, SessionSettings.defaults());
                ProtocolException e = assertThrows(ProtocolException.class,
                        () -> fresh.resumeOn(link(loop, Role.CLIENT, new RecordingTransport(), "c1"), 0, new byte[Wire.NONCE_BYTES]));
                assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
                return null;
            });
        }
    }

    @Test
    void sequenceOffsetsNearTheTopOfTheRangeAreRefusedNotSkipped() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            on(loop, () -> {
                Session server = Pair.open(loop, SessionSettings.defaults()).server();
                for (long seq : new long[] {Long.MAX_VALUE - 10, Long.MIN_VALUE, -20}) {
                    ProtocolException e = assertThrows(ProtocolException.class, () -> server.frames().admitSequenced(FrameType.DATA, seq, 40));
                    assertEquals(ErrorCode.SEQUENCE_ERROR, e.code(), "offset " + seq);
                }
                return null;
            });
        }
    }

    /** A peer can only acknowledge whole frames; an ACK inside one (its bytes read as a length could spin the loop) is a lie. */
    @Test
    void anAckInsideAFrameOrBeyondTheHeadEndsTheLinkWithSequenceError() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            on(loop, () -> {
                Pair pair = Pair.open(loop, SessionSettings.defaults());
                Session server = pair.server();
                for (int id = 1; id <= 5; id += 2) {
                    server.frames().onOpen(id, "nosuch"); // each answered with OPEN_FAIL, a sequenced frame
                }
                long head = server.sentHead();
                assertTrue(head > 60);
                assertEquals(ErrorCode.SEQUENCE_ERROR, assertThrows(ProtocolException.class, () -> server.frames().onAck(8)).code());
                assertEquals(ErrorCode.SEQUENCE_ERROR, assertThrows(ProtocolException.class, () -> server.frames().onAck(head + 20)).code());
                server.frames().onAck(head);
                assertEquals(0, server.unacknowledgedBytes());
                server.frames().onAck(8); // below an earlier ACK: ignored, as the protocol says
                return null;
            });
        }
    }

    /**
     * A peer that keeps opening streams nobody serves while never acknowledging the refusals would have them
     * pile up without end (each waits for room in the replay buffer). Past the stream limit plus a margin of
     * refusals owed, its session ends with LIMIT_EXCEEDED.
     */
    @Test
    void aFloodOfRefusedOpensEndsTheSessionInsteadOfGrowingWithoutBound() throws Exception {
        SessionSettings small = new SessionSettings(512 << 10, 64 << 10, 10, Duration.ofSeconds(5), 256L << 20);
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            on(loop, () -> {
                Session server = Pair.open(loop, small).server();
                ProtocolException flood = null;
                int opened = 0;
                for (int id = 1; opened < 1_000_000; id += 2, opened++) {
                    try {
                        server.frames().onOpen(id, "nosuch");
                    } catch (ProtocolException e) {
                        flood = e;
                        break;
                    }
                    assertTrue(server.streamCount() <= small.maxStreams() + StreamAdmission.MAX_REFUSALS_OWED, "bounded");
                }
                assertNotNull(flood, "the flood was stopped");
                assertEquals(ErrorCode.LIMIT_EXCEEDED, flood.code());
                assertEquals(StreamAdmission.MAX_REFUSALS_OWED, opened, "refusals were answered until that many were owed");
                return null;
            });
        }
    }

    /**
     * Refusals count until the peer acknowledges them, not until they are written: 12,000 OPENs for unknown
     * 255-character names, never acknowledged, end the session after 1,024 with the replay buffer holding
     * only those (before, each OPEN_FAIL left the table once written, and they piled up to megabytes); a peer
     * that acknowledges its refusals may go on.
     */
    @Test
    void refusalsCountUntilAcknowledgedNotUntilWritten() throws Exception {
        String name = "n".repeat(255);
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            on(loop, () -> {
                Session server = Pair.open(loop, SessionSettings.defaults()).server();
                ProtocolException flood = null;
                int opened = 0;
                for (int id = 1; opened < 12_000; id += 2, opened++) {
                    try {
                        server.frames().onOpen(id, name);
                    } catch (ProtocolException e) {
                        flood = e;
                        break;
                    }
                }
                assertNotNull(flood, "the flood was stopped");
                assertEquals(ErrorCode.LIMIT_EXCEEDED, flood.code());
                assertEquals(StreamAdmission.MAX_REFUSALS_OWED, opened);
                assertTrue(server.unacknowledgedBytes() < StreamAdmission.MAX_REFUSALS_OWED * 400L,
                        "the refusals held: " + server.unacknowledgedBytes() + " bytes");

                Session polite = Pair.open(loop, SessionSettings.defaults()).server();
                for (int id = 1; id < 2 * 3000; id += 2) {
                    polite.frames().onOpen(id, name);
                    if (id % 500 == 1) {
                        polite.frames().onAck(polite.sentHead()); // acknowledges what it got so far
                    }
                }
                assertEquals(SessionState.ACTIVE, polite.state(), "3,000 refusals, acknowledged as they came");
                return null;
            });
        }
    }

    /** WINDOW_UPDATE of 0 (or beyond 2^31-1, which shows as negative) is that stream's error: it is reset, the session goes on. */
    @Test
    void aBadWindowIncrementResetsOnlyItsStream() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel app1 = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted1 = listener.accept();
             SocketChannel app2 = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted2 = listener.accept()) {
            accepted1.configureBlocking(false);
            accepted2.configureBlocking(false);
            on(loop, () -> {
                Session client = Pair.open(loop, SessionSettings.defaults()).client();
                client.openStream(accepted1, "svc");
                client.openStream(accepted2, "svc");
                client.frames().onOpenOk(1);
                client.frames().onOpenOk(3);
                assertEquals(2, client.streamCount());
                client.frames().onWindowUpdate(1, 0);
                assertEquals(1, client.streamCount(), "stream 1 reset");
                assertEquals(SessionState.ACTIVE, client.state(), "the session goes on");
                client.frames().onWindowUpdate(3, Integer.MIN_VALUE);
                assertEquals(0, client.streamCount(), "stream 3 reset too");
                client.frames().onWindowUpdate(3, 1000); // a frame for a stream that is over: ignored
                assertEquals(SessionState.ACTIVE, client.state());
                assertFalse(accepted1.isOpen(), "the app's connection of a reset stream is closed");
                return null;
            });
        }
    }
}
