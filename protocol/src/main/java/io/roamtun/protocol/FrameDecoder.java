package io.roamtun.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes frames from a receive buffer that fills a little at a time. {@link #decode} handles every
 * complete frame in the buffer and stops at the first incomplete one, leaving the buffer's position on
 * its first byte: the caller compacts, reads more and calls again, so a frame split across any number
 * of reads just continues. The header is validated as soon as its 20 bytes are present, before any
 * payload is waited for, so an oversized or malformed frame is refused at once.
 *
 * <p>Payloads are decoded in place; the buffer given to {@link #decode} must be able to hold
 * {@link Wire#MAX_FRAME_BYTES} (or, while {@link #handshaking}, {@link Wire#MAX_HANDSHAKE_FRAME_BYTES}), or a
 * large frame never completes. The decoder keeps no state between calls beyond its settings.
 */
public final class FrameDecoder {
    private final Role peer;
    private final int maxDataPayload;
    /** The largest whole frame accepted once the handshake is done. */
    private final int maxFrameBytes;
    private boolean handshaking;
    private FrameObserver observer;

    /**
     * @param local          the role of the side that receives (its peer opens streams of the other parity)
     * @param maxDataPayload the largest DATA / DATAGRAM payload accepted: the max_payload this side announced,
     *                       {@link Wire#MIN_ANNOUNCED_PAYLOAD} .. {@link Wire#MAX_PAYLOAD}
     */
    public FrameDecoder(Role local, int maxDataPayload) {
        if (maxDataPayload < 1 || maxDataPayload > Wire.MAX_PAYLOAD) {
            throw new IllegalArgumentException("maxDataPayload out of range: " + maxDataPayload);
        }
        this.peer = local.peer();
        this.maxDataPayload = maxDataPayload;
        this.maxFrameBytes = Wire.HEADER_BYTES + Math.max(maxDataPayload, Wire.MAX_CONTROL_PAYLOAD);
    }

    /**
     * While true, frames larger than {@link Wire#MAX_HANDSHAKE_FRAME_BYTES} are refused from their header
     * ({@code FRAME_TOO_LARGE}), so a peer that announces a large frame and stalls is refused at once.
     */
    public void handshaking(boolean on) {
        this.handshaking = on;
    }

    /** Sees every frame whose header was read and whose bytes are all in (null: none). */
    public void observeWith(FrameObserver observer) {
        this.observer = observer;
    }

    /** Decodes every complete frame in {@code buf} (from position to limit), in order, to one handler. */
    public void decode(ByteBuffer buf, FrameHandler handler) throws ProtocolException {
        decode(buf, handler, handler);
    }

    /**
     * Decodes every complete frame in {@code buf}: link frames to {@code link}, the session's to {@code session},
     * which hears {@link SessionFrameHandler#beforeBatch} first and {@link SessionFrameHandler#afterBatch} last.
     */
    public void decode(ByteBuffer buf, LinkFrameHandler link, SessionFrameHandler session) throws ProtocolException {
        session.beforeBatch();
        try {
            decodeFrames(buf, link, session);
        } finally {
            session.afterBatch();
        }
    }

    private void decodeFrames(ByteBuffer buf, LinkFrameHandler link, SessionFrameHandler session) throws ProtocolException {
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
            int end = start + frameBytes;
            if (observer != null) {
                observer.onFrame(type, streamId, length, seq);
            }
            SessionFrameHandler.Placement placement = type == null ? SessionFrameHandler.Placement.SKIP
                    : type.sequenced() ? session.place(type, seq, frameBytes) : SessionFrameHandler.Placement.TAKE;
            if (placement == SessionFrameHandler.Placement.HOLD) {
                int limit = buf.limit();
                buf.limit(end).position(start);
                try {
                    session.hold(seq, buf);
                } finally {
                    buf.limit(limit);
                }
            } else if (placement == SessionFrameHandler.Placement.TAKE) {
                int limit = buf.limit();
                buf.limit(end).position(start + Wire.HEADER_BYTES);
                try {
                    dispatch(type, streamId, length, buf.get(start + Wire.OFF_FLAGS) & 0xFF, buf, link, session);
                } finally {
                    buf.limit(limit);
                }
            }
            buf.position(end); // (an ignorable extension frame, type null, is skipped whole)
        }
    }

    /** Validates the header at {@code at}; returns its type, null for an ignorable extension. Reads nothing beyond the header. */
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
        String name = type != null ? type.toString() : "frame type 0x" + Integer.toHexString(code);
        if (type == null && code < Wire.FIRST_IGNORABLE_TYPE) {
            throw new ProtocolException(ErrorCode.UNKNOWN_FRAME_TYPE, "unknown frame type 0x" + Integer.toHexString(code));
        }
        if (buf.get(at + Wire.OFF_RESERVED) != 0) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, name + " reserved byte is not 0");
        }
        int length = buf.getInt(at + Wire.OFF_LENGTH);
        int limit = handshaking ? Wire.MAX_HANDSHAKE_FRAME_BYTES : maxFrameBytes;
        if (length < 0 || length > limit - Wire.HEADER_BYTES) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, name + " length " + Integer.toUnsignedString(length) + " > "
                    + (limit - Wire.HEADER_BYTES) + (handshaking ? " (the limit before the handshake completes)" : ""));
        }
        long seq = buf.getLong(at + Wire.OFF_SEQUENCE);
        if (type == null) {
            if (seq != 0) { // an extension cannot take a place in the sequence: skipping it would break the sequence
                throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, name + " sequence offset " + Long.toUnsignedString(seq));
            }
            return null;
        }
        if (!type.mayBeSentBy(peer)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " is never sent by a " + peer);
        }
        if ((type == FrameType.DATA || type == FrameType.DATAGRAM) && length > maxDataPayload) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, type + " length " + length + " > " + maxDataPayload
                    + " (the max_payload this side announced)");
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
        if (type.sequenced() ? seq < 0 : seq != 0) {
            throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, type + " sequence offset " + Long.toUnsignedString(seq));
        }
        checkLength(type, length);
        return type;
    }

    private static void checkLength(FrameType type, int length) throws ProtocolException {
        boolean ok = switch (type) {
            case HELLO -> length >= Wire.HELLO_FIXED_PAYLOAD;
            case WELCOME -> length >= Wire.WELCOME_PAYLOAD;
            case OPEN -> length >= 2 && length <= 1 + Wire.MAX_SERVICE_NAME_BYTES;
            case OPEN_OK, FIN, MOVING -> length == 0;
            case PATH -> length == Wire.PATH_PAYLOAD;
            case OPEN_FAIL, GOAWAY -> length >= Wire.ERROR_CODE_BYTES && length <= Wire.MAX_CONTROL_PAYLOAD;
            case DATA, DATAGRAM -> length >= 1;
            case RESET -> length == 2;
            case WINDOW_UPDATE -> length == 4;
            case PING, PONG, ACK -> length == 8;
            case RESUMED -> length == Wire.RESUMED_PAYLOAD;
            case RESUME -> length >= Wire.RESUME_FIXED_PAYLOAD
                    && length <= Wire.RESUME_FIXED_PAYLOAD + Wire.MAX_PROOF_BYTES + Wire.MAX_CREDENTIAL_BYTES + Wire.MAX_FLEET_TICKET_BYTES;
        };
        if (!ok) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " length " + length + " is not valid for its type");
        }
    }

    /** Reads one payload; {@code p} is positioned on the payload and limited to its end. */
    private void dispatch(FrameType type, int streamId, int length, int flags, ByteBuffer p, LinkFrameHandler link,
                          SessionFrameHandler session) throws ProtocolException {
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
                // Then the reverse-streams extension, when there are bytes left; bytes after it are extensions
                // of later versions and are ignored.
                List<Integer> tcpExposes = HandshakeExtensions.exposes(p);
                List<Integer> udpExposes = HandshakeExtensions.exposes(p);
                HandshakeExtensions.checkTotal(tcpExposes.size() + udpExposes.size(), type);
                link.onHello(new Hello(min, max, capabilities, window, peerMaxPayload,
                        new String(credential, StandardCharsets.UTF_8), tcpExposes, udpExposes));
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
                List<ExposeResult> tcpResults = HandshakeExtensions.exposeResults(p);
                List<ExposeResult> udpResults = HandshakeExtensions.exposeResults(p);
                HandshakeExtensions.checkTotal(tcpResults.size() + udpResults.size(), type);
                FleetTicket fleet = Capabilities.has(capabilities, Capabilities.FLEET) ? FleetTicket.read(p, type) : null;
                link.onWelcome(new Welcome(version, capabilities, window, peerMaxPayload, id, secret, nonce, tcpResults, udpResults, fleet));
            }
            case OPEN -> {
                int nameLength = p.get() & 0xFF;
                if (nameLength != length - 1) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                            "OPEN service name length " + nameLength + " != payload length " + (length - 1));
                }
                session.onOpen(streamId, readServiceName(p, nameLength));
            }
            case OPEN_OK -> session.onOpenOk(streamId);
            case OPEN_FAIL -> {
                ErrorCode code = ErrorCode.fromWire(p.getShort() & 0xFFFF);
                session.onOpenFail(streamId, code, readMessage(p));
            }
            case DATA -> session.onData(streamId, p);
            case FIN -> session.onFin(streamId);
            case RESET -> session.onReset(streamId, ErrorCode.fromWire(p.getShort() & 0xFFFF));
            // An increment outside 1..2^31-1 arrives as it is (<= 0 as an int): the stream's own error, for
            // the session to reset that stream; the frame itself is well formed.
            case WINDOW_UPDATE -> session.onWindowUpdate(streamId, p.getInt());
            case PING -> link.onPing(p.getLong());
            case PONG -> link.onPong(p.getLong());
            case ACK -> {
                long offset = p.getLong();
                if (offset < 0) {
                    throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "ACK offset " + Long.toUnsignedString(offset));
                }
                session.onAck(offset);
            }
            case GOAWAY -> {
                ErrorCode code = ErrorCode.fromWire(p.getShort() & 0xFFFF);
                link.onGoAway(code, readMessage(p));
            }
            case RESUME -> {
                SessionId id = readSessionId(p);
                long offset = p.getLong();
                long sent = p.getLong();
                long attempt = p.getInt() & 0xFFFF_FFFFL;
                int proofLength = p.get() & 0xFF;
                if (offset < 0 || sent < 0) { // every offset of 2^63 or more is a SEQUENCE_ERROR, in any frame
                    throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "RESUME offsets " + Long.toUnsignedString(offset)
                            + ", " + Long.toUnsignedString(sent));
                }
                if (proofLength > Wire.MAX_PROOF_BYTES || proofLength + 1 > p.remaining()) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUME proof length " + proofLength + " with "
                            + p.remaining() + " bytes left");
                }
                byte[] proof = new byte[proofLength];
                p.get(proof);
                int credentialLength = p.get() & 0xFF;
                if (credentialLength > p.remaining()) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUME credential length " + credentialLength
                            + " with " + p.remaining() + " bytes left");
                }
                byte[] credential = new byte[credentialLength];
                p.get(credential);
                FleetTicket fleet = FleetTicket.read(p, type); // FLEET: the session's ticket, then nothing
                if (p.hasRemaining()) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUME has " + p.remaining() + " bytes after its fields");
                }
                link.onResume(new Resume(id, offset, sent, attempt, proof, new String(credential, StandardCharsets.UTF_8), fleet,
                        (flags & Wire.FLAG_JOIN) != 0)); // (a flag means nothing unless MULTIPATH was negotiated: the server checks)
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
                link.onResumed(offset, sent, nonce);
            }
            case DATAGRAM -> session.onDatagram(streamId, p);
            case MOVING -> link.onMoving();
            case PATH -> link.onPath(readPath(p));
        }
    }

    private static PathControl readPath(ByteBuffer p) throws ProtocolException {
        int modeCode = p.get() & 0xFF;
        int role = p.get() & 0xFF;
        int flags = p.get() & 0xFF;
        int reserved = p.get() & 0xFF;
        long redundantMax = p.getInt() & 0xFFFF_FFFFL;
        long received = p.getLong();
        PathControl.Mode mode = PathControl.Mode.fromCode(modeCode);
        if (mode == null || (role != 1 && role != 2) || (flags & ~PathControl.FLAG_METERED) != 0 || reserved != 0) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "PATH mode " + modeCode + ", role " + role + ", flags 0x"
                    + Integer.toHexString(flags) + ", reserved " + reserved + ": not valid");
        }
        if (received < 0) {
            throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "PATH offset " + Long.toUnsignedString(received));
        }
        return new PathControl(mode, role == 1, (flags & PathControl.FLAG_METERED) != 0, redundantMax, received);
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
        if (value < Wire.MIN_ANNOUNCED_PAYLOAD || value > Wire.MAX_PAYLOAD) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " max payload " + Integer.toUnsignedString(value)
                    + " not in " + Wire.MIN_ANNOUNCED_PAYLOAD + ".." + Wire.MAX_PAYLOAD);
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
