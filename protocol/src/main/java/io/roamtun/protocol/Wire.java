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

    /**
     * Framing version in the first byte of every frame: the layout of this 20-byte header. It changes only
     * if the header itself changes, and a frame of another framing version cannot be read at all.
     */
    public static final int VERSION = 1;

    /**
     * Session protocol versions this build speaks, negotiated in HELLO / WELCOME: what the frames mean and
     * which exist. New frames and rules come with a new session version or a capability, never a new framing.
     */
    public static final int MIN_SESSION_VERSION = 1;
    public static final int MAX_SESSION_VERSION = 1;

    public static final int HEADER_BYTES = 20;

    /**
     * The largest DATA (and DATAGRAM) payload this build accepts and announces as max_payload; a header
     * announcing more is rejected before any payload is read. Other frames have bounds of their own.
     */
    public static final int MAX_PAYLOAD = 65_536;

    /** The smallest max_payload a peer may announce. */
    public static final int MIN_ANNOUNCED_PAYLOAD = 1024;

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
    /** The most ports one HELLO may ask the server to listen on (reverse streams): WELCOME's answer still fits 2,048 bytes. */
    public static final int MAX_EXPOSES = 64;
    /** A fleet node's id, its advertised address, the MAC of its ticket (FLEET, see {@link FleetTicket}). */
    public static final int MAX_NODE_ID_BYTES = 64;
    public static final int MAX_ADVERTISED_BYTES = 255;
    public static final int FLEET_MAC_BYTES = 32;
    static final int MAX_FLEET_TICKET_BYTES = 1 + MAX_NODE_ID_BYTES + 1 + MAX_ADVERTISED_BYTES + FLEET_MAC_BYTES;

    /**
     * MULTIPATH: how far ahead of {@code received} a sequenced frame may arrive (its end, in bytes) and be held
     * until the frames before it come by another link. A sender never sends a frame on a link while another
     * link may still deliver frames before it unless the frame ends within this of the peer's last ACK.
     */
    public static final int REORDER_WINDOW = 4 << 20;

    /** RESUME's header flag (MULTIPATH): join the session as one more link, leaving the one that carries it. */
    public static final int FLAG_JOIN = 0x01;

    /** Before the handshake a frame may be at most this large, header included (checked from the header). */
    public static final int MAX_HANDSHAKE_FRAME_BYTES = 2048;

    /**
     * Frame types from this code up to 0xFF are ignorable extensions: a receiver that does not know one skips
     * it whole. Unknown types below it are {@code UNKNOWN_FRAME_TYPE}.
     */
    public static final int FIRST_IGNORABLE_TYPE = 0x80;

    // Payload sizes, defined once for the encoder and the decoder.
    /** HELLO up to its credential: magic, min and max version, reserved, capabilities, window, max_payload, credential length. */
    static final int HELLO_FIXED_PAYLOAD = 4 + 1 + 1 + 2 + 4 + 4 + 4 + 1;
    /** WELCOME: magic, version, reserved, capabilities, window, max_payload, session id, secret, nonce. */
    static final int WELCOME_PAYLOAD = 4 + 1 + 1 + 2 + 4 + 4 + 4 + SESSION_ID_BYTES + SESSION_SECRET_BYTES + NONCE_BYTES;
    /** RESUME without its proof and credential: session id, received offset, sent offset, attempt, proof length, credential length. */
    static final int RESUME_FIXED_PAYLOAD = SESSION_ID_BYTES + 8 + 8 + 4 + 1 + 1;

    /** RESUMED: received offset, sent offset, next nonce. */
    static final int RESUMED_PAYLOAD = 8 + 8 + NONCE_BYTES;
    /** PATH: mode, role, flags, reserved, redundant_max, received offset. */
    static final int PATH_PAYLOAD = 1 + 1 + 1 + 1 + 4 + 8;
    /** OPEN_FAIL and GOAWAY before their message: the error code. */
    static final int ERROR_CODE_BYTES = 2;
    /** The largest payload of any frame but DATA and DATAGRAM (an OPEN_FAIL or GOAWAY with the longest message). */
    public static final int MAX_CONTROL_PAYLOAD = ERROR_CODE_BYTES + MAX_MESSAGE_BYTES;

    // Header field offsets.
    static final int OFF_VERSION = 0;
    static final int OFF_TYPE = 1;
    static final int OFF_FLAGS = 2;
    static final int OFF_RESERVED = 3;
    static final int OFF_STREAM = 4;
    static final int OFF_LENGTH = 8;
    static final int OFF_SEQUENCE = 12;

    /** The whole size (header included) of the frame whose header starts at {@code at}; trusts the header. */
    public static int frameBytesAt(java.nio.ByteBuffer buf, int at) {
        return HEADER_BYTES + buf.getInt(at + OFF_LENGTH);
    }

    /** {@link #frameLog} of an outbound frame whose header starts at {@code at} in {@code buf}. */
    public static String frameLogAt(java.nio.ByteBuffer buf, int at) {
        return frameLog(false, FrameType.fromCode(buf.get(at + OFF_TYPE) & 0xFF), buf.getInt(at + OFF_STREAM),
                buf.getInt(at + OFF_LENGTH), buf.getLong(at + OFF_SEQUENCE));
    }

    /** One greppable line per frame, for TRACE logging; {@code type} null for an ignored extension frame. */
    public static String frameLog(boolean inbound, FrameType type, int streamId, int length, long seq) {
        StringBuilder line = new StringBuilder(64).append(inbound ? "<< " : ">> ")
                .append(type != null ? type.name() : "EXTENSION");
        if (streamId != 0) {
            line.append(" stream=").append(Integer.toUnsignedString(streamId));
        }
        line.append(" len=").append(length);
        if (type != null && type.sequenced()) {
            line.append(" seq=").append(seq);
        }
        return line.toString();
    }
}
