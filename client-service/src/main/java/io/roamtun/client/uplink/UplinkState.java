package io.roamtun.client.uplink;

/**
 * The client's side of keeping its session carried by a link.
 *
 * <pre>
 *   WAITING    --ATTEMPT-------> CONNECTING     (backoff over, an interface appeared, the server's name resolved)
 *   CONNECTING --ATTEMPT-------> CONNECTING     (the next attempt after one failed at once)
 *   CONNECTING --WAIT----------> WAITING        (attempt failed: backoff; or no usable interface)
 *   WAITING    --WAIT----------> WAITING        (a wait rescheduled)
 *   CONNECTING --CARRIED-------> ACTIVE         (WELCOME / RESUMED)
 *   ACTIVE     --CARRIED-------> ACTIVE         (a new link took over while the old one carried: make-before-break)
 *   ACTIVE     --LINK_LOST-----> CONNECTING     (the session is suspended)
 *   any but STOPPED --SESSION_ENDED--> CONNECTING   (a new session starts)
 *   any        --STOP----------> STOPPED
 * </pre>
 * It starts in WAITING; an event the diagram does not have in a state is a bug ({@link #on}).
 */
public enum UplinkState {
    /** No link carries the session; an attempt (connect, HELLO or RESUME) is under way. */
    CONNECTING,
    /** A link carries the session (another attempt may be under way to move it). */
    ACTIVE,
    /** No link and no attempt: backing off, or no interface is usable. */
    WAITING,
    STOPPED;

    /** What happens to the uplink. */
    public enum Event { ATTEMPT, WAIT, CARRIED, LINK_LOST, SESSION_ENDED, STOP }

    /** The state after {@code event}; one the diagram does not have here is a bug. */
    public UplinkState on(Event event) {
        UplinkState next = switch (event) {
            case ATTEMPT -> this == WAITING || this == CONNECTING ? CONNECTING : null;
            case WAIT -> this == WAITING || this == CONNECTING ? WAITING : null;
            case CARRIED -> this == CONNECTING || this == ACTIVE ? ACTIVE : null;
            case LINK_LOST -> this == ACTIVE ? CONNECTING : null;
            case SESSION_ENDED -> this != STOPPED ? CONNECTING : null;
            case STOP -> STOPPED;
        };
        if (next == null) {
            throw new IllegalStateException("uplink in " + this + " cannot take " + event);
        }
        return next;
    }
}
