package io.roamtun.engine.session;

/**
 * The life of a session.
 *
 * <pre>
 *   ESTABLISHING --(WELCOME)--> ACTIVE --(link lost, close, GOAWAY)--> CLOSED
 *        |                                                              ^
 *        +------------------(refused, link lost)------------------------+
 * </pre>
 *
 * A session whose link is lost ends with it for now; keeping it SUSPENDED across links is the resume
 * work that builds on this.
 */
public enum SessionState {
    ESTABLISHING,
    ACTIVE,
    CLOSED;

    SessionState next(SessionState to) {
        boolean allowed = switch (this) {
            case ESTABLISHING -> to == ACTIVE || to == CLOSED;
            case ACTIVE -> to == CLOSED;
            case CLOSED -> false;
        };
        if (!allowed) {
            throw new IllegalStateException("session cannot go from " + this + " to " + to);
        }
        return to;
    }
}
