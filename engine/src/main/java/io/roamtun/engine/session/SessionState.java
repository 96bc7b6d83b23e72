package io.roamtun.engine.session;

/**
 * The life of a session, which outlives the links that carry it.
 *
 * <pre>
 *   ESTABLISHING --(WELCOME)--> ACTIVE <--(RESUME / RESUMED on a new link)--+
 *        |                        |                                         |
 *        |                        +--(link lost)--> SUSPENDED --------------+
 *        |                        |                     | (timeout, refused resume, shutdown)
 *        +------------------------+---------------------+----> CLOSED
 * </pre>
 *
 * While SUSPENDED the streams stay open: local sockets keep being read into the replay buffer until it
 * is full, and everything unacknowledged is resent once a new link resumes the session. An ACTIVE
 * session may also move to a new link directly (make-before-break, or a takeover by the client).
 */
public enum SessionState {
    ESTABLISHING,
    ACTIVE,
    SUSPENDED,
    CLOSED;

    SessionState next(SessionState to) {
        boolean allowed = switch (this) {
            case ESTABLISHING -> to == ACTIVE || to == CLOSED;
            case ACTIVE -> to == ACTIVE || to == SUSPENDED || to == CLOSED;
            case SUSPENDED -> to == ACTIVE || to == CLOSED;
            case CLOSED -> false;
        };
        if (!allowed) {
            throw new IllegalStateException("session cannot go from " + this + " to " + to);
        }
        return to;
    }
}
