package io.roamtun.engine.loop;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;

/**
 * What every listening socket of the agents does when the selector says connections wait: accepts up to
 * {@link #ACCEPTS_PER_EVENT} of them (so one busy listener does not hold the loop), makes each non-blocking
 * with TCP_NODELAY and hands it on; a failed accept pauses accepting ({@link AcceptBackoff}); a connection
 * its taker cannot take is closed with one log line.
 */
public final class AcceptLoop {
    static final int ACCEPTS_PER_EVENT = 64;

    /** Takes one accepted connection (non-blocking, TCP_NODELAY); throws when it cannot, and the connection is closed. */
    @FunctionalInterface
    public interface Taker {
        void take(SocketChannel connection) throws IOException;
    }

    private final AcceptBackoff backoff;
    private final Logger log;
    private final String what;

    /** @param what the listener, for the log ("forward 8080=web", "listener 0.0.0.0:7000") */
    public AcceptLoop(EventLoop loop, Logger log, String what) {
        this.backoff = new AcceptBackoff(loop, log, what);
        this.log = log;
        this.what = what;
    }

    /** Accepts what waits on {@code key}'s {@code channel}, each connection to {@code taker}. */
    public void acceptPending(SelectionKey key, ServerSocketChannel channel, Taker taker) {
        for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
            SocketChannel connection;
            try {
                connection = channel.accept();
            } catch (IOException e) {
                backoff.failed(key, e);
                return;
            }
            if (connection == null) {
                return;
            }
            backoff.accepted();
            try {
                connection.configureBlocking(false);
                connection.setOption(StandardSocketOptions.TCP_NODELAY, true);
                taker.take(connection);
            } catch (IOException e) {
                log.info("{}: dropped a connection: {}", what, e.getMessage());
                try {
                    connection.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }
}
