package io.roamtun.client;

/**
 * The client's side of keeping its session carried by a link.
 *
 * <pre>
 *   WAITING --(backoff over, an interface appeared, the server's name resolved)--> CONNECTING
 *   CONNECTING --(attempt failed: backoff; or no usable interface)--> WAITING
 *   CONNECTING --(WELCOME / RESUMED)--> ACTIVE
 *   ACTIVE --(link lost, or the session ended and a new one starts)--> CONNECTING (session suspended)
 *   ACTIVE --(a new link resumes the session while the old one still carries it: make-before-break)--> ACTIVE
 *   WAITING --(a wait rescheduled)--> WAITING;  CONNECTING --(the session ended, a new one starts)--> CONNECTING
 *   any --(stop)--> STOPPED
 * </pre>
 * It starts in WAITING; a move not listed here is a bug ({@link #next}).
 */
public enum UplinkState {
    /** No link carries the session; an attempt (connect, HELLO or RESUME) is under way. */
    CONNECTING,
    /** A link carries the session (another attempt may be under way to move it). */
    ACTIVE,
    /** No link and no attempt: backing off, or no interface is usable. */
    WAITING,
    STOPPED;

    /** The state after moving to {@code to}; a move the diagram does not have is a bug. */
    UplinkState next(UplinkState to) {
        boolean allowed = switch (this) {
            case WAITING -> to == WAITING || to == CONNECTING || to == STOPPED;
            case CONNECTING -> true; // CONNECTING again (a new session), ACTIVE, WAITING, STOPPED
            case ACTIVE -> to == ACTIVE || to == CONNECTING || to == STOPPED;
            case STOPPED -> to == STOPPED;
        };
        if (!allowed) {
            throw new IllegalStateException("uplink cannot go from " + this + " to " + to);
        }
        return to;
    }
}
