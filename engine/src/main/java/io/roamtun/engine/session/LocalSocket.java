package io.roamtun.engine.session;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.loop.Timer;
import io.roamtun.protocol.ErrorCode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's TCP connection on this side (the app's, or the backend's): its channel, its selection key and
 * the ways it ends. Closing is once; an abortive close resets the connection (SO_LINGER 0), which is how
 * an app or backend learns that bytes may have been lost.
 */
final class LocalSocket {
    private static final Logger log = LoggerFactory.getLogger(LocalSocket.class);

    private final String name;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean closed;
    private boolean outputShut;
    private Timer connectTimer;

    /** How a connect this socket makes ends. */
    interface ConnectListener {
        void onConnected();

        void onConnectFailed(ErrorCode code, String message);
    }

    LocalSocket(String name) {
        this.name = name;
    }

    /** Connects to {@code target}, giving up after {@code timeout}; {@code handler} gets OP_CONNECT, then calls {@link #finishConnect}. */
    void connect(EventLoop loop, InetSocketAddress target, Duration timeout, IoHandler handler, ConnectListener listener) {
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // On loopback the handshake is usually over by the time connect() returns EINPROGRESS: asking
            // once more costs a syscall and saves a selector turn on the new connection's path.
            boolean connected = channel.connect(target) || channel.finishConnect();
            key = loop.register(channel, connected ? 0 : SelectionKey.OP_CONNECT, handler);
            if (connected) {
                listener.onConnected();
            } else {
                connectTimer = loop.schedule(timeout.toNanos(), () -> listener.onConnectFailed(ErrorCode.CONNECT_TIMEOUT,
                        "no answer from " + target + " within " + timeout.toMillis() + " ms"));
            }
        } catch (IOException | RuntimeException e) {
            listener.onConnectFailed(classify(e), describe(e) + " (" + target + ")");
        }
    }

    /** The socket is connectable: completes the connect begun by {@link #connect}. */
    void finishConnect(ConnectListener listener) {
        try {
            if (channel.finishConnect()) {
                listener.onConnected();
            }
        } catch (IOException e) {
            listener.onConnectFailed(classify(e), describe(e));
        }
    }

    /** A connect under way will not be waited for any more. */
    void cancelConnect() {
        if (connectTimer != null) {
            connectTimer.cancel();
        }
    }

    /** A refused connect is CONNECT_REFUSED; no route, or anything else, UNREACHABLE. */
    private static ErrorCode classify(Exception e) {
        return e instanceof ConnectException ? ErrorCode.CONNECT_REFUSED : ErrorCode.UNREACHABLE;
    }

    /** Registers {@code channel} with the loop for {@code ops}, {@code handler} told when it is ready. */
    void register(EventLoop loop, SocketChannel channel, int ops, IoHandler handler) throws IOException {
        this.channel = channel;
        this.key = loop.register(channel, ops, handler);
    }

    SocketChannel channel() {
        return channel;
    }

    boolean isClosed() {
        return closed;
    }

    /** The socket is gone before it was ever made (a refused stream): nothing to close. */
    void markClosed() {
        closed = true;
    }

    void setInterest(int ops) {
        if (key != null && key.isValid() && !closed && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    /** Shuts down the output once (the peer sent FIN and everything queued was written). */
    void shutdownOutput() {
        if (outputShut || closed) {
            return;
        }
        outputShut = true;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            log.debug("{}: shutdown of local output failed: {}", name, describe(e));
        }
    }

    /** Closes once; {@code abortive}: with a TCP reset. */
    void close(boolean abortive) {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        if (channel == null) {
            return;
        }
        try {
            if (abortive && channel.isConnected()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            channel.close();
        } catch (IOException e) {
            log.debug("{}: close failed: {}", name, describe(e));
        }
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        return message != null ? message : e.getClass().getSimpleName();
    }
}
