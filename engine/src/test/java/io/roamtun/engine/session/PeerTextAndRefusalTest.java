package io.roamtun.engine.session;

import static io.roamtun.engine.session.OnLoop.on;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import io.roamtun.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a peer says reaches apps and logs only as it should. */
class PeerTextAndRefusalTest {

    /**
     * A stream the peer refuses (OPEN_FAIL) ends for the app with a TCP reset: a clean end of stream would
     * read as "the server said nothing and closed", not as "the connection failed".
     */
    @Test
    @Timeout(30)
    void aRefusedOpenResetsTheAppsConnection() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start();
             ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket app = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listener.getLocalAddress()).getPort())) {
            SocketChannel fromApp = listener.accept();
            fromApp.configureBlocking(false);
            app.setSoTimeout(10_000);
            on(loop, () -> {
                LinkSettings settings = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));
                Session client = new Session(loop, Role.CLIENT, SessionSettings.defaults(), new BufferPool(256 * 1024, 8),
                        new BufferPool(16 * 1024, 8), null, ServiceDirectory.empty(), (s, r) -> { }, "client");
                Session server = new Session(loop, Role.SERVER, SessionSettings.defaults(), new BufferPool(256 * 1024, 8),
                        new BufferPool(16 * 1024, 8), null, ServiceDirectory.empty(), (s, r) -> { }, "server");
                Welcome welcome = server.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""),
                        new Link(loop, new SinkTransport(), Role.SERVER, settings, (l, c, r, b) -> { }, "s0"), "");
                client.acceptWelcome(welcome, new Link(loop, new SinkTransport(), Role.CLIENT, settings, (l, c, r, b) -> { }, "c0"));
                client.openStream(fromApp, "nosuch");
                client.frames().onOpenFail(1, ErrorCode.UNKNOWN_SERVICE, "no service 'nosuch' here");
                return null;
            });
            assertThrows(SocketException.class, () -> app.getInputStream().read(), "a reset, not an end of stream");
        }
    }

    /** A GOAWAY message with a line break cannot forge a log line: what the link reports is escaped. */
    @Test
    @Timeout(30)
    void aPeersGoAwayMessageIsEscapedBeforeItIsLogged() throws Exception {
        try (TwoAgents a = new TwoAgents(SessionSettings.defaults(), Map.of(), 0)) {
            a.connect(a.serverAddress(), "l1");
            Await.until(Duration.ofSeconds(10), "the session is established", () -> a.server != null
                    && a.cl.call(() -> a.client.state() == SessionState.ACTIVE));
            a.sv.call(() -> {
                a.server.link().close(ErrorCode.NO_ERROR, "bye\n09:41:00.000 WARN  roamtun Session: forged\u0007");
                return null;
            });
            Await.until(Duration.ofSeconds(10), "the client's link closed", () -> a.events.stream()
                    .anyMatch(e -> e.startsWith("client link l1 closed")));
            String closed = a.events.stream().filter(e -> e.startsWith("client link l1 closed")).findFirst().orElseThrow();
            assertFalse(closed.contains("\n") || closed.contains("\u0007"), closed);
            assertTrue(closed.contains("bye\\n09:41:00.000") && closed.contains("\\x07"), closed);
        }
    }
}
