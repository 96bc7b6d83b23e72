package io.roamtun.engine.link;

/**
 * The life of one link (one TCP connection between the agents).
 *
 * <pre>
 *   HANDSHAKING --(WELCOME sent / received, or RESUMED)--> ESTABLISHED
 *        |                                                     |
 *        +----------(close with GOAWAY)---> CLOSING <----------+
 *        |                                     | (flushed, or linger over)
 *        +-------(socket error, EOF)------> CLOSED <-----------+
 * </pre>
 */
public enum LinkState {
    HANDSHAKING,
    ESTABLISHED,
    CLOSING,
    CLOSED;

    /** Sequenced session frames go out only on an established link. */
    boolean carriesSession() {
        return this == ESTABLISHED;
    }

    LinkState next(LinkState to) {
        boolean allowed = switch (this) {
            case HANDSHAKING -> to == ESTABLISHED || to == CLOSING || to == CLOSED;
            case ESTABLISHED -> to == CLOSING || to == CLOSED;
            case CLOSING -> to == CLOSED;
            case CLOSED -> false;
        };
        if (!allowed) {
            throw new IllegalStateException("link cannot go from " + this + " to " + to);
        }
        return to;
    }
}
