package io.roamtun.protocol;

/**
 * Frame types of protocol version 1. {@code sequenced} frames take a place in the session's sequence
 * and are replayed after a reconnect; the others belong to one link (one TCP connection) only.
 * {@code streamScoped} frames name a stream; the others must carry stream id 0. {@code sentBy} is the
 * role that may send the type (null: either); one arriving from the other role is a PROTOCOL_ERROR.
 */
public enum FrameType {
    HELLO(0x01, false, false, Role.CLIENT),
    WELCOME(0x02, false, false, Role.SERVER),
    OPEN(0x03, true, true, null),
    OPEN_OK(0x04, true, true, null),
    OPEN_FAIL(0x05, true, true, null),
    DATA(0x06, true, true, null),
    FIN(0x07, true, true, null),
    RESET(0x08, true, true, null),
    WINDOW_UPDATE(0x09, true, true, null),
    PING(0x0A, false, false, null),
    PONG(0x0B, false, false, null),
    ACK(0x0C, false, false, null),
    GOAWAY(0x0D, false, false, null),
    RESUME(0x0E, false, false, Role.CLIENT),
    RESUMED(0x0F, false, false, Role.SERVER),
    /** Reserved for UDP datagrams (unsequenced, flow id in the stream id field). */
    DATAGRAM(0x10, false, true, null),
    /** MULTIPATH: the client says what a link of the session is for (primary or secondary) and the session's mode. */
    PATH(0x11, false, false, Role.CLIENT),
    /**
     * An ignorable hint (0x80 and up: a peer that does not know it skips it): the server's node is draining;
     * new streams belong in a new session on another node, the session's open streams may finish here.
     */
    MOVING(0x80, false, false, Role.SERVER);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final boolean sequenced;
    private final boolean streamScoped;
    private final Role sentBy;

    FrameType(int code, boolean sequenced, boolean streamScoped, Role sentBy) {
        this.code = code;
        this.sequenced = sequenced;
        this.streamScoped = streamScoped;
        this.sentBy = sentBy;
    }

    /** Whether a peer of role {@code sender} may send this type. */
    public boolean mayBeSentBy(Role sender) {
        return sentBy == null || sentBy == sender;
    }

    public int code() {
        return code;
    }

    public boolean sequenced() {
        return sequenced;
    }

    public boolean streamScoped() {
        return streamScoped;
    }

    /** The type for a wire code, or null when the code is not defined. */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
