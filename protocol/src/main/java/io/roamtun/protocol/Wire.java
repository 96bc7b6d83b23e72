package io.roamtun.protocol;

/**
 * Constants of the roamtun wire format, version 1. Every frame starts with this fixed header
 * (all integers big-endian):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+---------------+---------------+
 * |  Version (8)  |   Type (8)    |   Flags (8)   | Reserved (8)  |
 * +---------------+---------------+---------------+---------------+
 * |                        Stream ID (32)                         |
 * +---------------------------------------------------------------+
 * |                     Payload Length (32)                       |
 * +---------------------------------------------------------------+
 * |                                                               |
 * +                   Sequence Offset (64)                        +
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                     Payload (Length bytes)                  ...
 * </pre>
 *
 * The sequence offset of a sequenced frame (see {@link FrameType#sequenced()}) is the byte offset of
 * that frame's first header byte in the sender's stream of sequenced frames, counted from 0 for the
 * session. Unsequenced frames carry 0. PROTOCOL.md is the normative description; keep both in step.
 */
public final class Wire {
    private Wire() {}

    /** Framing version in the first byte of every frame. */
    public static final int VERSION = 1;

    /** Session protocol versions this build speaks, negotiated in HELLO / WELCOME. */
    public static final int MIN_SESSION_VERSION = 1;
    public static final int MAX_SESSION_VERSION = 1;

    public static final int HEADER_BYTES = 20;

    /** Hard cap on a payload; a header announcing more is rejected before any payload is read. */
    public static final int MAX_PAYLOAD = 65_536;

    /** The largest complete frame; a receive buffer of this size always holds one whole frame. */
    public static final int MAX_FRAME_BYTES = HEADER_BYTES + MAX_PAYLOAD;

    /** "RMTN": first payload word of HELLO and WELCOME, so a stray non-roamtun peer fails fast. */
    public static final int MAGIC = 0x524D544E;

    public static final int SESSION_ID_BYTES = 16;
    public static final int MAX_SERVICE_NAME_BYTES = 255;
    public static final int MAX_MESSAGE_BYTES = 1024;
    public static final int MAX_PROOF_BYTES = 64;
    public static final int SESSION_SECRET_BYTES = 32;
    public static final int NONCE_BYTES = 16;
    public static final int MAX_CREDENTIAL_BYTES = 255;
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    // Header field offsets.
    static final int OFF_VERSION = 0;
    static final int OFF_TYPE = 1;
    static final int OFF_FLAGS = 2;
    static final int OFF_RESERVED = 3;
    static final int OFF_STREAM = 4;
    static final int OFF_LENGTH = 8;
    static final int OFF_SEQUENCE = 12;

    /** Capability bits exchanged in HELLO / WELCOME. None is defined in version 1. */
    public static final int CAPABILITIES_NONE = 0;

    /** The whole size (header included) of the frame whose header starts at {@code at}; trusts the header. */
    public static int frameBytesAt(java.nio.ByteBuffer buf, int at) {
        return HEADER_BYTES + buf.getInt(at + OFF_LENGTH);
    }

    /** One greppable line per frame, for TRACE logging. */
    public static String frameLog(boolean inbound, FrameType type, int streamId, int length, long seq) {
        StringBuilder line = new StringBuilder(64).append(inbound ? "<< " : ">> ").append(type.name());
        if (streamId != 0) {
            line.append(" stream=").append(Integer.toUnsignedString(streamId));
        }
        line.append(" len=").append(length);
        if (type.sequenced()) {
            line.append(" seq=").append(seq);
        }
        return line.toString();
    }
}
