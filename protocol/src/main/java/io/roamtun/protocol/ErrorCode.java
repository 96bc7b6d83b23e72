package io.roamtun.protocol;

/**
 * Error codes carried by GOAWAY (whole link or session), RESET and OPEN_FAIL (one stream). A code does not
 * decide what an error ends: where it is found does ({@link ProtocolException#isConnectionError()}), so
 * FLOW_CONTROL_ERROR resets one stream when a stream's window is exceeded and ends the link when a
 * handshake frame announces a window of 0.
 */
public enum ErrorCode {
    NO_ERROR(0),
    PROTOCOL_ERROR(1),
    FRAME_TOO_LARGE(2),
    UNKNOWN_FRAME_TYPE(3),
    BAD_STREAM_ID(4),
    FLOW_CONTROL_ERROR(5),
    SEQUENCE_ERROR(6),
    UNSUPPORTED_VERSION(7),
    INTERNAL_ERROR(8),
    UNKNOWN_SERVICE(9),
    CONNECT_REFUSED(10),
    CONNECT_TIMEOUT(11),
    UNREACHABLE(12),
    STREAM_LIMIT(13),
    SHUTTING_DOWN(14),
    UNKNOWN_SESSION(15),
    AUTH_FAILED(16),
    CANCELLED(17),
    KEEPALIVE_TIMEOUT(18),
    NOT_SUPPORTED(19),
    SESSION_TAKEN_OVER(20),
    LIMIT_EXCEEDED(21),
    /** An exposed port (reverse tunnel) this client may not have: WELCOME's expose results. */
    EXPOSE_NOT_ALLOWED(22),
    /** An exposed port already listened on, by another client or another program: WELCOME's expose results. */
    PORT_IN_USE(23),
    /** FLEET: the session is held by another node of the fleet; the GOAWAY's message is that node's address. */
    REDIRECT(24);

    private static final ErrorCode[] BY_CODE;

    static {
        int max = 0;
        for (ErrorCode code : values()) {
            max = Math.max(max, code.wireValue);
        }
        BY_CODE = new ErrorCode[max + 1];
        for (ErrorCode code : values()) {
            BY_CODE[code.wireValue] = code;
        }
    }

    private final int wireValue;

    ErrorCode(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    /** A well-formed request the sender turned down (credentials, limits, an unknown session, a drain), not a broken peer. */
    public boolean isRefusal() {
        return this == AUTH_FAILED || this == LIMIT_EXCEEDED || this == UNKNOWN_SESSION || this == SHUTTING_DOWN;
    }

    /** Unknown codes from a newer peer are read as PROTOCOL_ERROR rather than rejected. */
    public static ErrorCode fromWire(int value) {
        if (value >= 0 && value < BY_CODE.length && BY_CODE[value] != null) {
            return BY_CODE[value];
        }
        return PROTOCOL_ERROR;
    }
}
