package io.roamtun.protocol;

/**
 * Error codes carried by GOAWAY (whole link or session), RESET and OPEN_FAIL (one stream).
 * {@link Scope} says what an error of that kind ends when it is detected locally.
 */
public enum ErrorCode {
    NO_ERROR(0, Scope.EITHER),
    PROTOCOL_ERROR(1, Scope.CONNECTION),
    FRAME_TOO_LARGE(2, Scope.CONNECTION),
    UNKNOWN_FRAME_TYPE(3, Scope.CONNECTION),
    BAD_STREAM_ID(4, Scope.CONNECTION),
    FLOW_CONTROL_ERROR(5, Scope.STREAM),
    SEQUENCE_ERROR(6, Scope.CONNECTION),
    UNSUPPORTED_VERSION(7, Scope.CONNECTION),
    INTERNAL_ERROR(8, Scope.EITHER),
    UNKNOWN_SERVICE(9, Scope.STREAM),
    CONNECT_REFUSED(10, Scope.STREAM),
    CONNECT_TIMEOUT(11, Scope.STREAM),
    UNREACHABLE(12, Scope.STREAM),
    STREAM_LIMIT(13, Scope.STREAM),
    SHUTTING_DOWN(14, Scope.CONNECTION),
    UNKNOWN_SESSION(15, Scope.CONNECTION),
    AUTH_FAILED(16, Scope.CONNECTION),
    CANCELLED(17, Scope.STREAM),
    KEEPALIVE_TIMEOUT(18, Scope.CONNECTION),
    NOT_SUPPORTED(19, Scope.CONNECTION),
    SESSION_TAKEN_OVER(20, Scope.CONNECTION),
    LIMIT_EXCEEDED(21, Scope.CONNECTION);

    /** What an error ends: the whole connection (GOAWAY) or one stream (RESET / OPEN_FAIL). */
    public enum Scope { CONNECTION, STREAM, EITHER }

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
    private final Scope scope;

    ErrorCode(int wireValue, Scope scope) {
        this.wireValue = wireValue;
        this.scope = scope;
    }

    public int wireValue() {
        return wireValue;
    }

    public Scope scope() {
        return scope;
    }

    /** Unknown codes from a newer peer are read as PROTOCOL_ERROR rather than rejected. */
    public static ErrorCode fromWire(int value) {
        if (value >= 0 && value < BY_CODE.length && BY_CODE[value] != null) {
            return BY_CODE[value];
        }
        return PROTOCOL_ERROR;
    }
}
