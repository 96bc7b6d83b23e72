package io.roamtun.engine.session;

import static io.roamtun.engine.session.OnLoop.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.Capabilities;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import io.roamtun.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PROTOCOL.md's rules that a session, not the codec, keeps: GOAWAY, KEEPALIVE_TIMEOUT, capabilities, windows. */
class WireRulesSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Link sinkLink(EventLoop loop, Role role, String name) {
        return new Link(loop, new SinkTransport(), role, LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10)),
                (l, code, reason, byPeer) -> { }, name);
    }

    private static Session session(EventLoop loop, Role role, SessionSettings settings) {
        return new Session(loop, role, settings, new BufferPool(256 * 1024, 8), new BufferPool(16 * 1024, 8), null,
                ServiceDirectory.empty(), (s, r) -> { }, role.name().toLowerCase());
    }

    private static void connected(TwoAgents a) throws Exception {
        a.connect(a.serverAddress(), "l1");
        Await.until(WAIT, "the session is established", () -> a.server != null
                && a.cl.call(() -> a.client.state() == SessionState.ACTIVE));
    }

    /** GOAWAY NO_ERROR (or SHUTTING_DOWN) on the link carrying a session ends it on the sender too, not only the peer. */
    @Test
    @Timeout(30)
    void aGoAwayOnTheCarryingLinkEndsTheSessionOnBothSides() throws Exception {
        for (ErrorCode code : new ErrorCode[] {ErrorCode.NO_ERROR, ErrorCode.SHUTTING_DOWN}) {
            try (TwoAgents a = new TwoAgents(SessionSettings.defaults(), Map.of(), 0)) {
                connected(a);
                SessionState senderAfter = a.sv.call(() -> {
                    a.server.link().close(code, "done");
                    return a.server.state();
                });
                assertEquals(SessionState.CLOSED, senderAfter, code + ": the sender's session ends with its GOAWAY");
                Await.until(WAIT, "the client's session to end", () -> a.cl.call(() -> a.client.state() == SessionState.CLOSED));
            }
        }
    }

    /**
     * A side that hears nothing for dead-after says KEEPALIVE_TIMEOUT: the link ends, the session does not;
     * both sides suspend it for a resume.
     */
    @Test
    @Timeout(30)
    void keepaliveTimeoutEndsTheLinkButOnlySuspendsTheSession() throws Exception {
        try (TwoAgents a = new TwoAgents(SessionSettings.defaults(), Map.of(), 0);
             GateProxy path = new GateProxy(a.serverAddress())) {
            // The server gives up after 600 ms of silence (the client's dead-after is 60 s).
            a.serverLinkSettings = LinkSettings.forDeadAfter(Duration.ofMillis(600), Duration.ofSeconds(20));
            a.connect(path.address(), "l1");
            Await.until(WAIT, "the session is established", () -> a.server != null
                    && a.cl.call(() -> a.client.state() == SessionState.ACTIVE));
            path.c2s = GateProxy.SHUT; // the path dies one way: the client's PONGs no longer reach the server
            Await.until(WAIT, "the client to hear KEEPALIVE_TIMEOUT", () -> a.events.stream()
                    .anyMatch(e -> e.startsWith("client link l1 closed KEEPALIVE_TIMEOUT")));
            assertTrue(a.events.stream().anyMatch(e -> e.startsWith("server link sv1 closed KEEPALIVE_TIMEOUT")), a.events.toString());
            assertEquals(SessionState.SUSPENDED, a.cl.call(a.client::state), "the client keeps its session for a resume");
            assertEquals(SessionState.SUSPENDED, a.sv.call(a.server::state), "and so does the server");
            a.connect(a.serverAddress(), "l2");
            Await.until(WAIT, "the session to resume", () -> a.cl.call(() -> a.client.state() == SessionState.ACTIVE));
        }
    }

    /** Capabilities: the server offers the intersection, the client intersects again; unknown bits are ignored. */
    @Test
    void capabilitiesAreTheBitsBothSupport() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            on(loop, () -> {
                Session server = session(loop, Role.SERVER, SessionSettings.defaults());
                Welcome welcome = server.acceptHello(new Hello(1, 1, 0xFFFF_FFFF, 512 << 10, Wire.MAX_PAYLOAD, ""),
                        sinkLink(loop, Role.SERVER, "s0"), "");
                // (A sink link cannot export keying material: no channel binding is offered on it.)
                int lone = Capabilities.offered(false) & ~Capabilities.FLEET; // (FLEET only from a node of a fleet)
                assertEquals(lone, welcome.capabilities(), "WELCOME carries only what the server supports");
                assertEquals(lone, server.capabilities());
                Session client = session(loop, Role.CLIENT, SessionSettings.defaults());
                Welcome claiming = new Welcome(1, 0x4000_0000, welcome.initialWindow(), welcome.maxPayload(),
                        welcome.sessionId(), welcome.sessionSecret(), welcome.resumeNonce());
                client.acceptWelcome(claiming, sinkLink(loop, Role.CLIENT, "c0"));
                assertEquals(0, client.capabilities() & 0x4000_0000, "a bit the client never offered gains nothing");
                return null;
            });
        }
    }

    /**
     * A sender keeps to the max_payload its peer announced, and windows count DATA payload only: with a window
     * of 64 KiB the stream sends exactly 64 KiB in frames of at most 1,024 bytes (64 headers not counted), a
     * resume on a new link gives no new credit, and a WINDOW_UPDATE of 1,000 lets exactly 1,000 more go.
     */
    @Test
    @Timeout(30)
    void dataKeepsToThePeersMaxPayloadAndWindowsCountPayloadAndCarryAcrossAResume() throws Exception {
        int window = 64 << 10;
        try (EventLoop loop = new EventLoop("test-loop").start();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel app = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept()) {
            accepted.configureBlocking(false);
            app.write(ByteBuffer.allocate(256 << 10)); // more than the window: the stream waits for credit
            Session client = on(loop, () -> {
                Session server = session(loop, Role.SERVER, new SessionSettings(8L << 20, window, 100, Duration.ofSeconds(5), 256L << 20));
                Welcome welcome = server.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""), sinkLink(loop, Role.SERVER, "s0"), "");
                Session c = session(loop, Role.CLIENT, SessionSettings.defaults());
                c.acceptWelcome(new Welcome(1, 0, window, Wire.MIN_ANNOUNCED_PAYLOAD, welcome.sessionId(), welcome.sessionSecret(),
                        welcome.resumeNonce()), sinkLink(loop, Role.CLIENT, "c0"));
                c.openStream(accepted, "svc");
                c.frames().onOpenOk(1);
                return c;
            });
            Await.until(WAIT, "the window's worth to be sent", () -> sentOnStream(loop, client) == window);
            long frames = on(loop, () -> client.sentHead());
            assertTrue(frames >= window + 64L * Wire.HEADER_BYTES, "frames of at most 1,024 bytes: " + frames);
            on(loop, () -> client.resumeOn(sinkLink(loop, Role.CLIENT, "c1"), 0, new byte[Wire.NONCE_BYTES]));
            on(loop, () -> {
                client.frames().onWindowUpdate(1, 1000);
                return null;
            });
            Await.until(WAIT, "1,000 bytes more", () -> sentOnStream(loop, client) >= window + 1000);
            // Give the stream every chance to send more than its credit: one more loop turn after another.
            for (int turn = 0; turn < 20; turn++) {
                OnLoop.afterTurn(loop);
            }
            assertEquals(window + 1000, sentOnStream(loop, client), "no credit came with the resume");
        }
    }

    private static long sentOnStream(EventLoop loop, Session client) throws Exception {
        String line = on(loop, () -> client.describeStreams().get(0));
        return Long.parseLong(line.substring(line.indexOf("out=") + 4, line.indexOf(" in=")));
    }
}
