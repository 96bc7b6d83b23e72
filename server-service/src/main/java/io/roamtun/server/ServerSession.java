package io.roamtun.server;

import io.roamtun.engine.loop.Timer;
import io.roamtun.engine.session.Session;

/** One session the server holds, with what the registry keeps about it. Loop thread only. */
final class ServerSession {
    final Session session;
    /** The SHA-256 of the secret the session was opened with; null without authentication. */
    final byte[] secretHash;
    /**
     * The acceptance number of the newest link that has carried the session. The client starts a connection
     * only after giving up the one before, so a RESUME on an older link is stale (it waited in the network
     * or a relay) and must not take the session back from the client's current connection.
     */
    long newestCarrier;
    /** When it was opened (wall clock, for status). */
    final java.time.Instant opened = java.time.Instant.now();
    /** Ends the session while it is suspended; null while a link carries it. */
    Timer expiry;

    ServerSession(Session session, byte[] secretHash, long newestCarrier) {
        this.session = session;
        this.secretHash = secretHash;
        this.newestCarrier = newestCarrier;
    }

    /** Suspended: ends the session after {@code timeout} unless a link carries it again by then. */
    void expireAfter(io.roamtun.engine.loop.EventLoop loop, java.time.Duration timeout) {
        expiry = loop.schedule(timeout.toNanos(), () -> {
            expiry = null;
            if (session.state() == io.roamtun.engine.session.SessionState.SUSPENDED) {
                // Whatever the client still had for the backends is lost: reset, not a clean end of stream.
                org.slf4j.LoggerFactory.getLogger(SessionRegistry.class).info(
                        "session {} expired: no resume within {}; resetting its {} streams' backend connections",
                        session.label(), io.roamtun.engine.text.Durations.format(timeout), session.streamCount());
                session.close("expired after " + io.roamtun.engine.text.Durations.format(timeout) + " suspended");
            }
        });
    }

    void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel();
            expiry = null;
        }
    }
}
