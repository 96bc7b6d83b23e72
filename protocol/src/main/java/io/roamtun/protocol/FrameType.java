package io.roamtun.protocol;

/**
 * Frame types of protocol version 1. {@code sequenced} frames take a place in the session's sequence
 * and are replayed after a reconnect; the others belong to one link (one TCP connection) only.
 * {@code streamScoped} frames name a stream; the others must carry stream id 0.
 */
public enum FrameType {
    HELLO(0x01, false, false),
    WELCOME(0x02, false, false),
    OPEN(0x03, true, true),
    OPEN_OK(0x04, true, true),
    OPEN_FAIL(0x05, true, true),
    DATA(0x06, true, true),
    FIN(0x07, true, true),
    RESET(0x08, true, true),
    WINDOW_UPDATE(0x09, true, true),
    PING(0x0A, false, false),
    PONG(0x0B, false, false),
    ACK(0x0C, false, false),
    GOAWAY(0x0D, false, false),
    RESUME(0x0E, false, false),
    RESUMED(0x0F, false, false),
    /** Reserved for UDP datagrams (unsequenced, flow id in the stream id field). */
    DATAGRAM(0x10, false, true);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final boolean sequenced;
    private final boolean streamScoped;

    FrameType(int code, boolean sequenced, boolean streamScoped) {
        this.code = code;
        this.sequenced = sequenced;
        this.streamScoped = streamScoped;
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
