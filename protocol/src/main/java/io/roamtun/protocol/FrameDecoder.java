package io.roamtun.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decodes frames from a receive buffer that fills a little at a time. {@link #decode} handles every
 * complete frame in the buffer and stops at the first incomplete one, leaving the buffer's position on
 * its first byte: the caller compacts, reads more and calls again, so a frame split across any number
 * of reads just continues. The header is validated as soon as its 20 bytes are present, before any
 * payload is waited for, so an oversized or malformed frame is refused at once.
 *
 * <p>Payloads are decoded in place; the buffer given to {@link #decode} must be able to hold
 * {@link Wire#MAX_FRAME_BYTES} (or the negotiated maximum plus the header), or a large frame never
 * completes. The decoder keeps no state between calls beyond its settings.
 */
public final class FrameDecoder {
    private final Role peer;
    private final int maxPayload;

    /**
     * @param local      the role of the side that receives (its peer opens streams of the other parity)
     * @param maxPayload the largest payload accepted; at most {@link Wire#MAX_PAYLOAD}
     */
    public FrameDecoder(Role local, int maxPayload) {
        if (maxPayload < 1 || maxPayload > Wire.MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxPayload out of range: " + maxPayload);
        }
        this.peer = local.peer();
        this.maxPayload = maxPayload;
    }

    /** Decodes every complete frame in {@code buf} (from position to limit), in order. */
    public void decode(ByteBuffer buf, FrameHandler handler) throws ProtocolException {
        while (buf.remaining() >= Wire.HEADER_BYTES) {
            int start = buf.position();
            FrameType type = checkHeader(buf, start);
            int streamId = buf.getInt(start + Wire.OFF_STREAM);
            int length = buf.getInt(start + Wire.OFF_LENGTH);
            long seq = buf.getLong(start + Wire.OFF_SEQUENCE);
            int frameBytes = Wire.HEADER_BYTES + length;
            if (buf.remaining() < frameBytes) {
                return;
            }
            int payloadStart = start + Wire.HEADER_BYTES;
            int end = start + frameBytes;
            int limit = buf.limit();
            if (!type.sequenced() || handler.admitSequenced(type, seq, frameBytes)) {
                buf.limit(end).position(payloadStart);
                try {
                    dispatch(type, streamId, length, buf, handler);
                } finally {
                    buf.limit(limit);
                }
            }
            buf.position(end);
        }
    }

    /** Validates the header at {@code at}; returns its type. Reads nothing beyond the header. */
    private FrameType checkHeader(ByteBuffer buf, int at) throws ProtocolException {
        int version = buf.get(at + Wire.OFF_VERSION) & 0xFF;
        if (version != Wire.VERSION) {
            if (version == 0x16 && (buf.get(at + 1) & 0xFF) == 0x03) { // a TLS handshake record: 0x16 0x03 ...
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "the peer speaks TLS, and this side runs with "
                        + "--insecure-plaintext: both agents must use TLS, or both --insecure-plaintext");
            }
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "frame version " + version + " != " + Wire.VERSION);
        }
        int code = buf.get(at + Wire.OFF_TYPE) & 0xFF;
        FrameType type = FrameType.fromCode(code);
        if (type == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_FRAME_TYPE, "unknown frame type 0x" + Integer.toHexString(code));
        }
        if (buf.get(at + Wire.OFF_RESERVED) != 0) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " reserved byte is not 0");
        }
        int length = buf.getInt(at + Wire.OFF_LENGTH);
        if (length < 0 || length > maxPayload) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE,
                    type + " length " + Integer.toUnsignedString(length) + " > " + maxPayload);
        }
        int streamId = buf.getInt(at + Wire.OFF_STREAM);
        if (type.streamScoped() && streamId == 0) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID, type + " on stream 0");
        }
        if (streamId < 0) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID,
                    type + " names stream " + Integer.toUnsignedString(streamId) + ", beyond the largest id 2^31-1");
        }
        if (!type.streamScoped() && streamId != 0) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID,
                    type + " is a session frame but names stream " + Integer.toUnsignedString(streamId));
        }
        if (type == FrameType.OPEN && !peer.opens(streamId)) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID,
                    "OPEN for stream " + Integer.toUnsignedString(streamId) + " outside the " + peer + "'s id space");
        }
        long seq = buf.getLong(at + Wire.OFF_SEQUENCE);
        if (type.sequenced() ? seq < 0 : seq != 0) {
            throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, type + " sequence offset " + Long.toUnsignedString(seq));
        }
        checkLength(type, length);
        return type;
    }

    private static void checkLength(FrameType type, int length) throws ProtocolException {
        boolean ok = switch (type) {
            case HELLO -> length >= FrameEncoder.HELLO_BYTES;
            case WELCOME -> length >= FrameEncoder.WELCOME_BYTES;
            case OPEN -> length >= 2 && length <= 1 + Wire.MAX_SERVICE_NAME_BYTES;
            case OPEN_OK, FIN -> length == 0;
            case OPEN_FAIL, GOAWAY -> length >= 2 && length <= 2 + Wire.MAX_MESSAGE_BYTES;
            case DATA, DATAGRAM -> length >= 1;
            case RESET -> length == 2;
            case WINDOW_UPDATE -> length == 4;
            case PING, PONG, ACK -> length == 8;
            case RESUMED -> length == 16 + Wire.NONCE_BYTES;
            case RESUME -> length >= Wire.SESSION_ID_BYTES + 17 && length <= Wire.SESSION_ID_BYTES + 17 + Wire.MAX_PROOF_BYTES;
        };
        if (!ok) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " length " + length + " is not valid for its type");
        }
    }

    /** Reads one payload; {@code p} is positioned on the payload and limited to its end. */
    private void dispatch(FrameType type, int streamId, int length, ByteBuffer p, FrameHandler handler)
            throws ProtocolException {
        switch (type) {
            case HELLO -> {
                checkMagic(p, type);
                int min = p.get() & 0xFF;
                int max = p.get() & 0xFF;
                p.getShort();
                int capabilities = p.getInt();
                int window = checkWindow(p.getInt(), type);
                int peerMaxPayload = checkMaxPayload(p.getInt(), type);
                if (min > max) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "HELLO version range " + min + ".." + max + " is empty");
                }
                int credentialLength = p.get() & 0xFF;
                if (credentialLength > p.remaining()) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "HELLO credential length " + credentialLength
                            + " with " + p.remaining() + " bytes left");
                }
                byte[] credential = new byte[credentialLength];
                p.get(credential);
                // Bytes after the v1 fields are extensions of later versions and are ignored.
                handler.onHello(new Hello(min, max, capabilities, window, peerMaxPayload,
                        new String(credential, StandardCharsets.UTF_8)));
            }
            case WELCOME -> {
                checkMagic(p, type);
                int version = p.get() & 0xFF;
                p.get();
                p.getShort();
                int capabilities = p.getInt();
                int window = checkWindow(p.getInt(), type);
                int peerMaxPayload = checkMaxPayload(p.getInt(), type);
                SessionId id = readSessionId(p);
                byte[] secret = new byte[Wire.SESSION_SECRET_BYTES];
                p.get(secret);
                byte[] nonce = new byte[Wire.NONCE_BYTES];
                p.get(nonce);
                handler.onWelcome(new Welcome(version, capabilities, window, peerMaxPayload, id, secret, nonce));
            }
            case OPEN -> {
                int nameLength = p.get() & 0xFF;
                if (nameLength != length - 1) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                            "OPEN service name length " + nameLength + " != payload length " + (length - 1));
                }
                handler.onOpen(streamId, readServiceName(p, nameLength));
            }
            case OPEN_OK -> handler.onOpenOk(streamId);
            case OPEN_FAIL -> {
                ErrorCode code = ErrorCode.fromWire(p.getShort() & 0xFFFF);
                handler.onOpenFail(streamId, code, readMessage(p));
            }
            case DATA -> handler.onData(streamId, p);
            case FIN -> handler.onFin(streamId);
            case RESET -> handler.onReset(streamId, ErrorCode.fromWire(p.getShort() & 0xFFFF));
            // An increment outside 1..2^31-1 arrives as it is (<= 0 as an int): the stream's own error, for
            // the session to reset that stream; the frame itself is well formed.
            case WINDOW_UPDATE -> handler.onWindowUpdate(streamId, p.getInt());
            case PING -> handler.onPing(p.getLong());
            case PONG -> handler.onPong(p.getLong());
            case ACK -> {
                long offset = p.getLong();
                if (offset < 0) {
                    throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "ACK offset " + Long.toUnsignedString(offset));
                }
                handler.onAck(offset);
            }
            case GOAWAY -> {
                ErrorCode code = ErrorCode.fromWire(p.getShort() & 0xFFFF);
                handler.onGoAway(code, readMessage(p));
            }
            case RESUME -> {
                SessionId id = readSessionId(p);
                long offset = p.getLong();
                long sent = p.getLong();
                int proofLength = p.get() & 0xFF;
                if (offset < 0 || sent < 0 || proofLength != p.remaining()) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUME malformed (offsets " + offset + ", " + sent
                            + ", proof length " + proofLength + " with " + p.remaining() + " bytes left)");
                }
                byte[] proof = new byte[proofLength];
                p.get(proof);
                handler.onResume(new Resume(id, offset, sent, proof));
            }
            case RESUMED -> {
                long offset = p.getLong();
                long sent = p.getLong();
                if (offset < 0 || sent < 0) {
                    throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "RESUMED offsets " + Long.toUnsignedString(offset)
                            + ", " + Long.toUnsignedString(sent));
                }
                byte[] nonce = new byte[Wire.NONCE_BYTES];
                p.get(nonce);
                handler.onResumed(offset, sent, nonce);
            }
            case DATAGRAM -> handler.onDatagram(streamId, p);
        }
    }

    private static void checkMagic(ByteBuffer p, FrameType type) throws ProtocolException {
        int magic = p.getInt();
        if (magic != Wire.MAGIC) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " magic 0x" + Integer.toHexString(magic) + " is not roamtun's");
        }
    }

    private static int checkWindow(int window, FrameType type) throws ProtocolException {
        if (window <= 0) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, type + " initial window " + Integer.toUnsignedString(window));
        }
        return window;
    }

    private static int checkMaxPayload(int value, FrameType type) throws ProtocolException {
        if (value < 1024 || value > Wire.MAX_PAYLOAD) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " max payload " + Integer.toUnsignedString(value)
                    + " not in 1024.." + Wire.MAX_PAYLOAD);
        }
        return value;
    }

    private static SessionId readSessionId(ByteBuffer p) {
        byte[] id = new byte[Wire.SESSION_ID_BYTES];
        p.get(id);
        return SessionId.of(id);
    }

    private static String readServiceName(ByteBuffer p, int length) throws ProtocolException {
        byte[] name = new byte[length];
        p.get(name);
        for (byte b : name) {
            if (!ServiceNames.isNameByte(b)) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "OPEN service name has byte 0x" + Integer.toHexString(b & 0xFF));
            }
        }
        return new String(name, StandardCharsets.US_ASCII);
    }

    private static String readMessage(ByteBuffer p) {
        byte[] message = new byte[p.remaining()];
        p.get(message);
        return new String(message, StandardCharsets.UTF_8);
    }
}
