package io.roamtun.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hostile and broken input: every case ends in a ProtocolException with a code, never anything else. */
class MalformedFrameTest {

    private static ByteBuffer header(int version, int type, int reserved, int streamId, int length, long seq) {
        ByteBuffer b = ByteBuffer.allocate(Wire.HEADER_BYTES + Math.max(0, Math.min(length, 4096)));
        b.put((byte) version).put((byte) type).put((byte) 0).put((byte) reserved).putInt(streamId).putInt(length).putLong(seq);
        b.position(b.capacity()).flip();
        return b;
    }

    private static ProtocolException reject(Role receiver, ByteBuffer bytes) {
        return assertThrows(ProtocolException.class,
                () -> new FrameDecoder(receiver, Wire.MAX_PAYLOAD).decode(bytes, new RecordingHandler()));
    }

    @Test
    void unknownFrameTypeRejected() {
        ProtocolException e = reject(Role.SERVER, header(1, 0x7F, 0, 0, 0, 0));
        assertEquals(ErrorCode.UNKNOWN_FRAME_TYPE, e.code());
        assertTrue(e.isConnectionError());
    }

    @Test
    void wrongVersionRejected() {
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, reject(Role.SERVER, header(2, 0x0A, 0, 0, 8, 0)).code());
    }

    @Test
    void nonZeroReservedByteRejected() {
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, header(1, 0x0A, 1, 0, 8, 0)).code());
    }

    @Test
    void oversizedFrameRejectedFromItsHeaderAlone() {
        ByteBuffer onlyHeader = ByteBuffer.allocate(Wire.HEADER_BYTES);
        onlyHeader.put((byte) 1).put((byte) FrameType.DATA.code()).putShort((short) 0).putInt(1).putInt(Wire.MAX_PAYLOAD + 1).putLong(0).flip();
        assertEquals(ErrorCode.FRAME_TOO_LARGE, reject(Role.SERVER, onlyHeader).code());
        ByteBuffer negative = ByteBuffer.allocate(Wire.HEADER_BYTES);
        negative.put((byte) 1).put((byte) FrameType.DATA.code()).putShort((short) 0).putInt(1).putInt(-1).putLong(0).flip();
        assertEquals(ErrorCode.FRAME_TOO_LARGE, reject(Role.SERVER, negative).code());
    }

    @Test
    void negotiatedSmallerMaximumIsEnforced() {
        ByteBuffer b = header(1, FrameType.DATA.code(), 0, 1, 2000, 0);
        assertThrows(ProtocolException.class, () -> new FrameDecoder(Role.SERVER, 1024).decode(b, new RecordingHandler()));
    }

    @Test
    void badLengthForTypeRejected() {
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.CLIENT, header(1, FrameType.RESET.code(), 0, 1, 3, 0)).code());
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.CLIENT, header(1, FrameType.PING.code(), 0, 0, 7, 0)).code());
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.CLIENT, header(1, FrameType.FIN.code(), 0, 1, 1, 0)).code());
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.CLIENT, header(1, FrameType.DATA.code(), 0, 1, 0, 0)).code());
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, header(1, FrameType.HELLO.code(), 0, 0, 3, 0)).code());
    }

    @Test
    void streamIdMisuseRejected() {
        assertEquals(ErrorCode.BAD_STREAM_ID, reject(Role.SERVER, header(1, FrameType.DATA.code(), 0, 0, 1, 0)).code());
        assertEquals(ErrorCode.BAD_STREAM_ID, reject(Role.SERVER, header(1, FrameType.PING.code(), 0, 5, 8, 0)).code());
        // A client may only open odd streams, a server only even ones.
        ByteBuffer evenOpenFromClient = ByteBuffer.allocate(64);
        FrameEncoder.open(evenOpenFromClient, 0, 2, "svc");
        evenOpenFromClient.flip();
        assertEquals(ErrorCode.BAD_STREAM_ID, reject(Role.SERVER, evenOpenFromClient).code());
    }

    @Test
    void sequenceOnAnUnsequencedFrameRejected() {
        assertEquals(ErrorCode.SEQUENCE_ERROR, reject(Role.SERVER, header(1, FrameType.PING.code(), 0, 0, 8, 5)).code());
        assertEquals(ErrorCode.SEQUENCE_ERROR, reject(Role.SERVER, header(1, FrameType.FIN.code(), 0, 1, 0, -1)).code());
    }

    /**
     * An increment of 0, or one beyond 2^31-1, is a well-formed frame with a value that is the stream's
     * error: it is handed on as it is (zero or negative), for the session to reset that stream alone.
     * (Refused here, it ended the whole link and every stream on it.)
     */
    @Test
    void aWindowIncrementOutOfRangeIsHandedOnForTheStreamToRefuse() throws Exception {
        for (int increment : new int[] {0, 0x80000000, -1}) {
            ByteBuffer b = ByteBuffer.allocate(64);
            b.put((byte) 1).put((byte) FrameType.WINDOW_UPDATE.code()).putShort((short) 0).putInt(3).putInt(4).putLong(0)
                    .putInt(increment).flip();
            RecordingHandler handler = new RecordingHandler();
            new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(b, handler);
            assertEquals(List.of("seq=0 WINDOW_UPDATE 3 " + increment), handler.frames);
        }
    }

    /** Stream ids are 1..2^31-1: one with the top bit set is never opened by anybody. */
    @Test
    void streamIdsWithTheTopBitSetRejected() {
        for (int id : new int[] {0x80000001, 0xFFFFFFFF, 0x80000002}) {
            ProtocolException e = reject(Role.SERVER, header(1, FrameType.FIN.code(), 0, id, 0, 0));
            assertEquals(ErrorCode.BAD_STREAM_ID, e.code(), Integer.toUnsignedString(id));
            assertTrue(e.isConnectionError());
        }
    }

    @Test
    void helloWithForeignMagicRejected() {
        ByteBuffer b = ByteBuffer.allocate(64);
        FrameEncoder.hello(b, new Hello(1, 1, 0, 65536, 65536));
        b.putInt(Wire.HEADER_BYTES, 0x47455420); // "GET ": somebody spoke HTTP to us
        b.flip();
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, b).code());
    }

    @Test
    void helloWithEmptyVersionRangeOrZeroWindowRejected() {
        ByteBuffer range = ByteBuffer.allocate(64);
        FrameEncoder.hello(range, new Hello(3, 1, 0, 65536, 65536));
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, range.flip()).code());
        ByteBuffer window = ByteBuffer.allocate(64);
        FrameEncoder.hello(window, new Hello(1, 1, 0, 0, 65536));
        assertEquals(ErrorCode.FLOW_CONTROL_ERROR, reject(Role.SERVER, window.flip()).code());
    }

    @Test
    void openWithLyingNameLengthOrBadCharactersRejected() {
        ByteBuffer lying = ByteBuffer.allocate(64);
        FrameEncoder.open(lying, 0, 1, "abc");
        lying.put(Wire.HEADER_BYTES, (byte) 9).flip();
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, lying).code());
        ByteBuffer control = ByteBuffer.allocate(64);
        FrameEncoder.open(control, 0, 1, "abc");
        control.put(Wire.HEADER_BYTES + 2, (byte) '\n').flip();
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, control).code());
    }

    @Test
    void resumeWithLyingProofLengthRejected() {
        ByteBuffer b = ByteBuffer.allocate(128);
        FrameEncoder.resume(b, new Resume(SessionId.random(), 0, 0, 1, new byte[4]));
        b.put(Wire.HEADER_BYTES + Wire.SESSION_ID_BYTES + 16 + 4, (byte) 5).flip();
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, b).code());
    }

    @Test
    void resumeWithLyingCredentialLengthRejected() {
        for (int lie : new int[] {0, 12, 14, 255}) {
            ByteBuffer b = ByteBuffer.allocate(128);
            FrameEncoder.resume(b, new Resume(SessionId.random(), 0, 0, 1, new byte[4], "laptop:s3cret")); // 13 bytes
            b.put(Wire.HEADER_BYTES + Wire.SESSION_ID_BYTES + 16 + 4 + 1 + 4, (byte) lie).flip();
            assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, b).code(), "credential length " + lie);
        }
    }

    @Test
    void resumeWithAProofLongerThanAnyIsRejectedBeforeReadingIt() {
        ByteBuffer b = ByteBuffer.allocate(512);
        FrameEncoder.resume(b, new Resume(SessionId.random(), 0, 0, 1, new byte[64], "x".repeat(200)));
        b.put(Wire.HEADER_BYTES + Wire.SESSION_ID_BYTES + 16 + 4, (byte) 65).flip();
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(Role.SERVER, b).code());
    }

    @Test
    void incompleteFrameWaitsWithoutConsuming() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(64);
        FrameEncoder.dataHeader(b, 0, 1, 10);
        b.put(new byte[9]).flip();
        RecordingHandler handler = new RecordingHandler();
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(b, handler);
        assertEquals(0, b.position());
        assertTrue(handler.frames.isEmpty());
    }

    /** 10,000 buffers of random bytes: decoded or refused with a code, never a crash. */
    @Test
    void randomBytesAreDecodedOrRejectedCleanly() {
        Random random = new Random(20261125);
        int rejected = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            if (random.nextBoolean() && bytes.length > 1) {
                bytes[0] = 1; // pass the version check so deeper validation is exercised
                bytes[1] = (byte) (1 + random.nextInt(FrameType.values().length));
            }
            rejected += decodeExpectingOnlyProtocolExceptions(bytes) ? 0 : 1;
        }
        assertTrue(rejected > 5_000, "most random input is rejected, got " + rejected);
    }

    /** 10,000 valid frame sequences with one to three bytes changed at random. */
    @Test
    void mutatedValidFramesAreDecodedOrRejectedCleanly() {
        Random random = new Random(42);
        ByteBuffer valid = ByteBuffer.allocate(4096);
        FrameEncoder.hello(valid, new Hello(1, 1, 0, 65536, 65536));
        FrameEncoder.open(valid, 0, 1, "service");
        FrameEncoder.dataHeader(valid, 28, 1, 5);
        valid.put(new byte[] {1, 2, 3, 4, 5});
        FrameEncoder.windowUpdate(valid, 53, 1, 1000);
        FrameEncoder.resume(valid, new Resume(SessionId.random(), 7, 9, 2, new byte[3], "laptop:s3cret"));
        FrameEncoder.goAway(valid, ErrorCode.NO_ERROR, "done");
        FrameEncoder.reset(valid, 77, 1, ErrorCode.CANCELLED);
        byte[] original = new byte[valid.flip().remaining()];
        valid.get(original);
        for (int i = 0; i < 10_000; i++) {
            byte[] bytes = original.clone();
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            decodeExpectingOnlyProtocolExceptions(bytes);
        }
    }

    /** Returns true when the bytes decoded without complaint. */
    private static boolean decodeExpectingOnlyProtocolExceptions(byte[] bytes) {
        try {
            new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(bytes), new RecordingHandler());
            return true;
        } catch (ProtocolException expected) {
            if (expected.code() == null || expected.getMessage() == null) {
                fail("exception without code or message");
            }
            return false;
        } catch (RuntimeException crash) {
            throw new AssertionError("decoder crashed on " + java.util.HexFormat.of().formatHex(bytes), crash);
        }
    }
}
