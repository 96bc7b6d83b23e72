package io.roamtun.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes frames into a buffer at its position, one method per frame type. The caller makes room first:
 * each {@code *Bytes} constant or {@code size} method gives a frame's whole size, header included.
 * Sequenced frames take their sequence offset from the caller, who owns the session's counter.
 */
public final class FrameEncoder {
    private FrameEncoder() {}

    public static int helloSize(Hello hello) {
        return Wire.HEADER_BYTES + Wire.HELLO_FIXED_PAYLOAD + hello.credential().getBytes(StandardCharsets.UTF_8).length
                + (hello.exposes().isEmpty() && hello.udpExposes().isEmpty() ? 0 : 1 + 2 * hello.exposes().size())
                + (hello.udpExposes().isEmpty() ? 0 : 1 + 2 * hello.udpExposes().size());
    }

    /** A WELCOME without extensions (no exposed ports answered). */
    public static final int WELCOME_FRAME_BYTES = Wire.HEADER_BYTES + Wire.WELCOME_PAYLOAD;

    public static int welcomeSize(Welcome welcome) {
        return Wire.HEADER_BYTES + welcomePayload(welcome);
    }

    private static int welcomePayload(Welcome welcome) {
        if (welcome.exposes().isEmpty() && welcome.udpExposes().isEmpty() && welcome.fleet() == null) {
            return Wire.WELCOME_PAYLOAD;
        }
        int bytes = Wire.WELCOME_PAYLOAD + 1;
        for (ExposeResult r : welcome.exposes()) {
            bytes += r.wireBytes();
        }
        if (!welcome.udpExposes().isEmpty() || welcome.fleet() != null) {
            bytes++;
            for (ExposeResult r : welcome.udpExposes()) {
                bytes += r.wireBytes();
            }
        }
        return bytes + (welcome.fleet() == null ? 0 : welcome.fleet().wireBytes());
    }
    public static final int EMPTY_FRAME_BYTES = Wire.HEADER_BYTES;
    public static final int RESET_FRAME_BYTES = Wire.HEADER_BYTES + 2;
    public static final int WINDOW_UPDATE_FRAME_BYTES = Wire.HEADER_BYTES + 4;
    public static final int LONG_FRAME_BYTES = Wire.HEADER_BYTES + 8;
    /** The largest OPEN, OPEN_FAIL, GOAWAY or RESUME. */
    public static final int MAX_CONTROL_FRAME_BYTES = Wire.HEADER_BYTES + Wire.MAX_CONTROL_PAYLOAD;

    public static void header(ByteBuffer dst, FrameType type, int streamId, int length, long seq) {
        dst.put((byte) Wire.VERSION).put((byte) type.code()).put((byte) 0).put((byte) 0)
                .putInt(streamId).putInt(length).putLong(seq);
    }

    public static void hello(ByteBuffer dst, Hello hello) {
        byte[] credential = hello.credential().getBytes(StandardCharsets.UTF_8);
        if (credential.length > Wire.MAX_CREDENTIAL_BYTES) {
            throw new IllegalArgumentException("credential longer than " + Wire.MAX_CREDENTIAL_BYTES + " bytes");
        }
        header(dst, FrameType.HELLO, 0, helloSize(hello) - Wire.HEADER_BYTES, 0);
        dst.putInt(Wire.MAGIC).put((byte) hello.minVersion()).put((byte) hello.maxVersion()).putShort((short) 0)
                .putInt(hello.capabilities()).putInt(hello.initialWindow()).putInt(hello.maxPayload())
                .put((byte) credential.length).put(credential);
        if (!hello.exposes().isEmpty() || !hello.udpExposes().isEmpty()) { // reverse streams: count, then each port
            putPorts(dst, hello.exposes());
        }
        if (!hello.udpExposes().isEmpty()) { // then reverse UDP, the same way
            putPorts(dst, hello.udpExposes());
        }
    }

    private static void putPorts(ByteBuffer dst, java.util.List<Integer> ports) {
        dst.put((byte) ports.size());
        for (int port : ports) {
            dst.putShort((short) port);
        }
    }

    public static void welcome(ByteBuffer dst, Welcome welcome) {
        header(dst, FrameType.WELCOME, 0, welcomePayload(welcome), 0);
        dst.putInt(Wire.MAGIC).put((byte) welcome.version()).put((byte) 0).putShort((short) 0)
                .putInt(welcome.capabilities()).putInt(welcome.initialWindow()).putInt(welcome.maxPayload())
                .put(welcome.sessionId().toBytes()).put(welcome.sessionSecret()).put(welcome.resumeNonce());
        // The answers to the HELLO's exposes, in its order (lists written, perhaps empty, when a later field follows),
        // then the fleet ticket.
        if (!welcome.exposes().isEmpty() || !welcome.udpExposes().isEmpty() || welcome.fleet() != null) {
            putResults(dst, welcome.exposes());
        }
        if (!welcome.udpExposes().isEmpty() || welcome.fleet() != null) {
            putResults(dst, welcome.udpExposes());
        }
        if (welcome.fleet() != null) {
            welcome.fleet().write(dst);
        }
    }

    private static void putResults(ByteBuffer dst, java.util.List<ExposeResult> results) {
        dst.put((byte) results.size());
        for (ExposeResult r : results) {
            byte[] address = r.address() == null ? new byte[0] : r.address().getAddress();
            dst.putShort((short) r.port()).putShort((short) r.result().wireValue()).put((byte) address.length).put(address);
        }
    }

    public static int openSize(String service) {
        return Wire.HEADER_BYTES + 1 + service.length();
    }

    /** @throws IllegalArgumentException for a name {@link ServiceNames#isValid} refuses */
    public static void open(ByteBuffer dst, long seq, int streamId, String service) {
        if (!ServiceNames.isValid(service)) {
            throw new IllegalArgumentException("invalid service name: " + service);
        }
        header(dst, FrameType.OPEN, streamId, 1 + service.length(), seq);
        dst.put((byte) service.length()).put(service.getBytes(StandardCharsets.US_ASCII));
    }

    public static void openOk(ByteBuffer dst, long seq, int streamId) {
        header(dst, FrameType.OPEN_OK, streamId, 0, seq);
    }

    public static int messageFrameSize(String message) {
        return Wire.HEADER_BYTES + Wire.ERROR_CODE_BYTES + truncatedUtf8(message).length;
    }

    public static void openFail(ByteBuffer dst, long seq, int streamId, ErrorCode code, String message) {
        byte[] text = truncatedUtf8(message);
        header(dst, FrameType.OPEN_FAIL, streamId, Wire.ERROR_CODE_BYTES + text.length, seq);
        dst.putShort((short) code.wireValue()).put(text);
    }

    /** The header of a DATA frame whose {@code length} payload bytes the caller writes (or has read) after it. */
    public static void dataHeader(ByteBuffer dst, long seq, int streamId, int length) {
        header(dst, FrameType.DATA, streamId, length, seq);
    }

    public static void fin(ByteBuffer dst, long seq, int streamId) {
        header(dst, FrameType.FIN, streamId, 0, seq);
    }

    public static void reset(ByteBuffer dst, long seq, int streamId, ErrorCode code) {
        header(dst, FrameType.RESET, streamId, 2, seq);
        dst.putShort((short) code.wireValue());
    }

    public static void windowUpdate(ByteBuffer dst, long seq, int streamId, int increment) {
        if (increment <= 0) {
            throw new IllegalArgumentException("window increment must be positive: " + increment);
        }
        header(dst, FrameType.WINDOW_UPDATE, streamId, 4, seq);
        dst.putInt(increment);
    }

    public static void ping(ByteBuffer dst, long opaque) {
        header(dst, FrameType.PING, 0, 8, 0);
        dst.putLong(opaque);
    }

    public static void pong(ByteBuffer dst, long opaque) {
        header(dst, FrameType.PONG, 0, 8, 0);
        dst.putLong(opaque);
    }

    public static void ack(ByteBuffer dst, long receivedOffset) {
        header(dst, FrameType.ACK, 0, 8, 0);
        dst.putLong(receivedOffset);
    }

    public static void goAway(ByteBuffer dst, ErrorCode code, String message) {
        byte[] text = truncatedUtf8(message);
        header(dst, FrameType.GOAWAY, 0, Wire.ERROR_CODE_BYTES + text.length, 0);
        dst.putShort((short) code.wireValue()).put(text);
    }

    public static int resumeSize(Resume resume) {
        return Wire.HEADER_BYTES + Wire.RESUME_FIXED_PAYLOAD + resume.proof().length
                + resume.credential().getBytes(StandardCharsets.UTF_8).length + (resume.fleet() == null ? 0 : resume.fleet().wireBytes());
    }

    public static void resume(ByteBuffer dst, Resume resume) {
        if (resume.proof().length > Wire.MAX_PROOF_BYTES) {
            throw new IllegalArgumentException("proof longer than " + Wire.MAX_PROOF_BYTES);
        }
        byte[] credential = resume.credential().getBytes(StandardCharsets.UTF_8);
        if (credential.length > Wire.MAX_CREDENTIAL_BYTES) {
            throw new IllegalArgumentException("credential longer than " + Wire.MAX_CREDENTIAL_BYTES + " bytes");
        }
        header(dst, FrameType.RESUME, 0, resumeSize(resume) - Wire.HEADER_BYTES, 0);
        if (resume.join()) {
            dst.put(dst.position() - Wire.HEADER_BYTES + Wire.OFF_FLAGS, (byte) Wire.FLAG_JOIN);
        }
        dst.put(resume.sessionId().toBytes()).putLong(resume.receivedOffset()).putLong(resume.sentOffset())
                .putInt((int) resume.attempt())
                .put((byte) resume.proof().length)
                .put(resume.proof())
                .put((byte) credential.length)
                .put(credential);
        if (resume.fleet() != null) {
            resume.fleet().write(dst);
        }
    }

    public static final int PATH_FRAME_BYTES = Wire.HEADER_BYTES + Wire.PATH_PAYLOAD;

    /** PATH (MULTIPATH, client only). */
    public static void path(ByteBuffer dst, PathControl path) {
        header(dst, FrameType.PATH, 0, Wire.PATH_PAYLOAD, 0);
        dst.put((byte) path.mode().code()).put((byte) (path.primary() ? 1 : 2))
                .put((byte) (path.metered() ? PathControl.FLAG_METERED : 0)).put((byte) 0)
                .putInt((int) path.redundantMax()).putLong(path.receivedOffset());
    }

    /** MOVING: a header, no payload. */
    public static void moving(ByteBuffer dst) {
        header(dst, FrameType.MOVING, 0, 0, 0);
    }

    public static final int RESUMED_FRAME_BYTES = Wire.HEADER_BYTES + Wire.RESUMED_PAYLOAD;

    public static void resumed(ByteBuffer dst, long receivedOffset, long sentOffset, byte[] nextNonce) {
        if (nextNonce.length != Wire.NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must be " + Wire.NONCE_BYTES + " bytes");
        }
        header(dst, FrameType.RESUMED, 0, Wire.RESUMED_PAYLOAD, 0);
        dst.putLong(receivedOffset).putLong(sentOffset).put(nextNonce);
    }

    public static void datagram(ByteBuffer dst, int flowId, ByteBuffer payload) {
        header(dst, FrameType.DATAGRAM, flowId, payload.remaining(), 0);
        dst.put(payload);
    }

    /** UTF-8 of a message, cut at {@link Wire#MAX_MESSAGE_BYTES} on a character boundary. */
    static byte[] truncatedUtf8(String message) {
        String text = message == null ? "" : message;
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= Wire.MAX_MESSAGE_BYTES) {
            return bytes;
        }
        int end = Wire.MAX_MESSAGE_BYTES;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        byte[] cut = new byte[end];
        System.arraycopy(bytes, 0, cut, 0, end);
        return cut;
    }
}
