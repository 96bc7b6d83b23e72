package io.roamtun.engine.session;

/**
 * The life of one stream, seen from one side. "Local" is this agent's socket (the app's connection on
 * the client, the backend connection on the server); "remote" is the peer agent.
 *
 * <pre>
 *  opener:   OPENING --OPEN_OK--> OPEN          acceptor:  CONNECTING --CONNECTED--> OPEN
 *               | LOCAL_FIN                                   | REMOTE_FIN
 *               v                                             v
 *            OPENING_LOCAL_CLOSED --OPEN_OK--> LOCAL_CLOSED  CONNECTING_REMOTE_CLOSED --CONNECTED--> REMOTE_CLOSED
 *
 *  OPEN --LOCAL_FIN--> LOCAL_CLOSED --REMOTE_FIN--> CLOSED
 *  OPEN --REMOTE_FIN--> REMOTE_CLOSED --LOCAL_FIN--> CLOSED
 *  any --RESET / OPEN_FAILED / CONNECT_FAILED--> CLOSED
 * </pre>
 *
 * LOCAL_FIN: the local socket reached end of stream and FIN was queued to the peer. REMOTE_FIN: the
 * peer's FIN arrived (the local socket's output is shut once the queued bytes are written).
 */
public enum StreamState {
    OPENING,
    OPENING_LOCAL_CLOSED,
    CONNECTING,
    CONNECTING_REMOTE_CLOSED,
    OPEN,
    LOCAL_CLOSED,
    REMOTE_CLOSED,
    CLOSED;

    public enum Event { OPEN_OK, OPEN_FAILED, CONNECTED, CONNECT_FAILED, LOCAL_FIN, REMOTE_FIN, RESET }

    /** The state after {@code event}, or null when the event is not allowed here. */
    public StreamState on(Event event) {
        if (event == Event.RESET) {
            return CLOSED;
        }
        return switch (this) {
            case OPENING -> switch (event) {
                case OPEN_OK -> OPEN;
                case OPEN_FAILED -> CLOSED;
                case LOCAL_FIN -> OPENING_LOCAL_CLOSED;
                default -> null;
            };
            case OPENING_LOCAL_CLOSED -> switch (event) {
                case OPEN_OK -> LOCAL_CLOSED;
                case OPEN_FAILED -> CLOSED;
                default -> null;
            };
            case CONNECTING -> switch (event) {
                case CONNECTED -> OPEN;
                case CONNECT_FAILED -> CLOSED;
                case REMOTE_FIN -> CONNECTING_REMOTE_CLOSED;
                default -> null;
            };
            case CONNECTING_REMOTE_CLOSED -> switch (event) {
                case CONNECTED -> REMOTE_CLOSED;
                case CONNECT_FAILED -> CLOSED;
                default -> null;
            };
            case OPEN -> switch (event) {
                case LOCAL_FIN -> LOCAL_CLOSED;
                case REMOTE_FIN -> REMOTE_CLOSED;
                default -> null;
            };
            case LOCAL_CLOSED -> event == Event.REMOTE_FIN ? CLOSED : null;
            case REMOTE_CLOSED -> event == Event.LOCAL_FIN ? CLOSED : null;
            case CLOSED -> null;
        };
    }

    /** The local socket may still be read (its input has not ended). */
    public boolean localReadable() {
        return this == OPENING || this == OPEN || this == REMOTE_CLOSED;
    }

    /** The peer may still send DATA. */
    public boolean acceptsPeerData() {
        return this == CONNECTING || this == OPEN || this == LOCAL_CLOSED;
    }

    /** The local socket is connected (bytes can be written to it). */
    public boolean localConnected() {
        return this != CONNECTING && this != CONNECTING_REMOTE_CLOSED;
    }

    /** The peer has sent FIN. */
    public boolean remoteFinished() {
        return this == REMOTE_CLOSED || this == CONNECTING_REMOTE_CLOSED || this == CLOSED;
    }
}
