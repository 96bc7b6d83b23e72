package io.roamtun.client;

import io.roamtun.engine.EngineContext;
import io.roamtun.engine.config.HostPort;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkListener;
import io.roamtun.engine.link.PlainTransport;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.loop.Timer;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.SessionListener;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the client's session to the server-service alive: connects, says HELLO, and when the link or
 * the session is lost starts over with backoff. There is always a current session; connections accepted
 * while it is being established wait with their OPEN queued, so apps see a slow connect, not a refusal.
 */
final class Uplink implements LinkListener, SessionListener {
    private static final Logger log = LoggerFactory.getLogger(Uplink.class);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final EngineContext engine;
    private final ClientConfig config;
    private UplinkState state = UplinkState.WAITING;
    private Session session;
    private Link link;
    private SocketChannel connecting;
    private Timer timer;
    private long backoffNanos = FIRST_BACKOFF_NANOS;
    private int sessionCount;

    Uplink(EngineContext engine, ClientConfig config) {
        this.engine = engine;
        this.config = config;
    }

    void start() {
        newSession();
        connect();
    }

    UplinkState state() {
        return state;
    }

    Session session() {
        return session;
    }

    private void newSession() {
        sessionCount++;
        session = new Session(engine.loop(), Role.CLIENT, config.session(), engine.segments(), engine.chunks(),
                ServiceDirectory.empty(), this, "#" + sessionCount);
    }

    /** A local connection for {@code service} was accepted. */
    void openStream(SocketChannel accepted, String service) throws IOException {
        session.openStream(accepted, service);
    }

    private void connect() {
        if (state == UplinkState.STOPPED) {
            return;
        }
        state = UplinkState.CONNECTING;
        InetSocketAddress server = config.server();
        try {
            SocketChannel channel = SocketChannel.open();
            connecting = channel;
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (channel.connect(server)) {
                onConnected(channel, null);
                return;
            }
            engine.loop().register(channel, SelectionKey.OP_CONNECT, new ConnectHandler(channel));
            timer = engine.loop().schedule(CONNECT_TIMEOUT_NANOS, () -> connectFailed(channel, "no answer within 5 s"));
        } catch (IOException e) {
            connectFailed(connecting, e.getMessage());
        }
    }

    private final class ConnectHandler implements IoHandler {
        private final SocketChannel channel;

        ConnectHandler(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void onReady(SelectionKey key) {
            try {
                if (channel.finishConnect()) {
                    onConnected(channel, key);
                }
            } catch (IOException e) {
                connectFailed(channel, e.getMessage());
            }
        }

        @Override
        public void onFailure(Throwable bug) {
            connectFailed(channel, "internal error: " + bug);
        }
    }

    private void onConnected(SocketChannel channel, SelectionKey key) throws IOException {
        if (timer != null) {
            timer.cancel();
        }
        try {
            String name = HostPort.format((InetSocketAddress) channel.getLocalAddress()) + "->" + HostPort.format(config.server());
            link = new Link(engine.loop(), new PlainTransport(channel), Role.CLIENT, config.link(), this, name);
            link.start(key);
            link.sendHello(session.hello());
            connecting = null;
            state = UplinkState.HANDSHAKING;
        } catch (IOException e) {
            connectFailed(channel, e.getMessage());
        }
    }

    private void connectFailed(SocketChannel channel, String reason) {
        if (channel != connecting || state != UplinkState.CONNECTING) {
            return;
        }
        connecting = null;
        if (timer != null) {
            timer.cancel();
        }
        closeQuietly(channel);
        retryLater("cannot reach server-service " + HostPort.format(config.server()) + ": " + reason);
    }

    private void retryLater(String why) {
        if (state == UplinkState.STOPPED) {
            return;
        }
        state = UplinkState.WAITING;
        log.warn("{}; retrying in {} ms", why, TimeUnit.NANOSECONDS.toMillis(backoffNanos));
        timer = engine.loop().schedule(backoffNanos, this::connect);
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
    }

    @Override
    public void onWelcome(Link from, Welcome welcome) throws ProtocolException {
        session.acceptWelcome(welcome, from);
        state = UplinkState.ACTIVE;
        backoffNanos = FIRST_BACKOFF_NANOS;
        log.info("session {} established via {} ({})", welcome.sessionId().shortHex(), from.name(), from.transport().describe());
    }

    @Override
    public void onLinkClosed(Link closed, ErrorCode code, String reason, boolean byPeer) {
        if (closed != link) {
            return;
        }
        link = null;
        if (state == UplinkState.HANDSHAKING) {
            retryLater("handshake with " + HostPort.format(config.server()) + " failed: " + code + " " + reason);
        }
    }

    @Override
    public void onSessionClosed(Session closed, String reason) {
        if (closed != session || state == UplinkState.STOPPED) {
            return;
        }
        link = null;
        newSession();
        state = UplinkState.WAITING;
        timer = engine.loop().schedule(0, this::connect);
    }

    void stop() {
        state = UplinkState.STOPPED;
        if (timer != null) {
            timer.cancel();
        }
        if (link != null) {
            link.close(ErrorCode.NO_ERROR, "client-service is shutting down");
        }
        session.close("client-service shutting down", true);
        if (connecting != null) {
            closeQuietly(connecting);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // giving up on it anyway
        }
    }
}
