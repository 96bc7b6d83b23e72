package io.roamtun.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** One round trip per frame type, decoded whole and one byte at a time. */
class FrameCodecTest {
    private static final SessionId SESSION = SessionId.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

    private static byte[] encode(Consumer<ByteBuffer> writer) {
        ByteBuffer buf = ByteBuffer.allocate(Wire.MAX_FRAME_BYTES * 2);
        writer.accept(buf);
        buf.flip();
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        return bytes;
    }

    /** Decodes the bytes whole, then fed one byte at a time, and checks both give {@code expected}. */
    private static void roundTrip(Role receiver, Consumer<ByteBuffer> writer, String expected) throws ProtocolException {
        byte[] bytes = encode(writer);
        RecordingHandler whole = new RecordingHandler();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        new FrameDecoder(receiver, Wire.MAX_PAYLOAD).decode(in, whole);
        assertEquals(List.of(expected), whole.frames);
        assertEquals(0, in.remaining(), "whole frame consumed");

        RecordingHandler trickle = new RecordingHandler();
        FrameDecoder decoder = new FrameDecoder(receiver, Wire.MAX_PAYLOAD);
        ByteBuffer buf = ByteBuffer.allocate(Wire.MAX_FRAME_BYTES);
        for (byte b : bytes) {
            buf.put(b).flip();
            decoder.decode(buf, trickle);
            buf.compact();
        }
        assertEquals(List.of(expected), trickle.frames);
        assertEquals(0, buf.position(), "nothing left over");
    }

    @Test
    void hello() throws Exception {
        Hello hello = new Hello(1, 3, 0, 262_144, 65_536);
        roundTrip(Role.SERVER, b -> FrameEncoder.hello(b, hello), hello.toString());
        Hello withCredential = new Hello(1, 1, 0, 65_536, 65_536, "laptop-7:c2VjcmV0");
        byte[] bytes = encode(b -> FrameEncoder.hello(b, withCredential));
        assertEquals(FrameEncoder.helloSize(withCredential), bytes.length);
        Hello[] got = new Hello[1];
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(bytes), new RecordingHandler() {
            @Override
            public void onHello(Hello h) {
                got[0] = h;
            }
        });
        assertEquals(withCredential, got[0], "the credential travels whole");
        assertEquals("laptop-7", got[0].clientName());
        assertTrue(!got[0].toString().contains("c2VjcmV0"), "the secret is never printed");
    }

    @Test
    void welcome() throws Exception {
        byte[] secret = new byte[Wire.SESSION_SECRET_BYTES];
        secret[31] = 9;
        byte[] nonce = new byte[Wire.NONCE_BYTES];
        nonce[0] = 1;
        Welcome welcome = new Welcome(1, 0, 1 << 20, 16_384, SESSION, secret, nonce);
        roundTrip(Role.CLIENT, b -> FrameEncoder.welcome(b, welcome), welcome.toString());
        Welcome[] got = new Welcome[1];
        new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(encode(b -> FrameEncoder.welcome(b, welcome))),
                new RecordingHandler() {
                    @Override
                    public void onWelcome(Welcome w) {
                        got[0] = w;
                    }
                });
        assertEquals(welcome, got[0], "secret and nonce travel whole");
    }

    @Test
    void open() throws Exception {
        roundTrip(Role.SERVER, b -> FrameEncoder.open(b, 40, 7, "web-1.prod_db"), "seq=40 OPEN 7 web-1.prod_db");
        roundTrip(Role.CLIENT, b -> FrameEncoder.open(b, 0, 2, "x"), "seq=0 OPEN 2 x");
    }

    @Test
    void openOk() throws Exception {
        roundTrip(Role.CLIENT, b -> FrameEncoder.openOk(b, 9, 3), "seq=9 OPEN_OK 3");
    }

    @Test
    void openFail() throws Exception {
        roundTrip(Role.CLIENT, b -> FrameEncoder.openFail(b, 1, 3, ErrorCode.CONNECT_REFUSED, "refused by 127.0.0.1:5432 ✓"),
                "seq=1 OPEN_FAIL 3 CONNECT_REFUSED refused by 127.0.0.1:5432 ✓");
    }

    @Test
    void data() throws Exception {
        roundTrip(Role.SERVER, b -> {
            FrameEncoder.dataHeader(b, 1L << 40, 5, 3);
            b.put((byte) 0xCA).put((byte) 0xFE).put((byte) 0x00);
        }, "seq=1099511627776 DATA 5 cafe00");
    }

    @Test
    void dataOfMaximumSize() throws Exception {
        byte[] payload = new byte[Wire.MAX_PAYLOAD];
        payload[Wire.MAX_PAYLOAD - 1] = 1;
        String expectedHex = "00".repeat(Wire.MAX_PAYLOAD - 1) + "01";
        roundTrip(Role.SERVER, b -> {
            FrameEncoder.dataHeader(b, 0, 1, payload.length);
            b.put(payload);
        }, "seq=0 DATA 1 " + expectedHex);
    }

    @Test
    void fin() throws Exception {
        roundTrip(Role.CLIENT, b -> FrameEncoder.fin(b, 77, 3), "seq=77 FIN 3");
    }

    @Test
    void reset() throws Exception {
        roundTrip(Role.CLIENT, b -> FrameEncoder.reset(b, 3, 8, ErrorCode.CANCELLED), "seq=3 RESET 8 CANCELLED");
    }

    @Test
    void windowUpdate() throws Exception {
        roundTrip(Role.CLIENT, b -> FrameEncoder.windowUpdate(b, 3, 8, Integer.MAX_VALUE), "seq=3 WINDOW_UPDATE 8 2147483647");
    }

    @Test
    void pingPongAck() throws Exception {
        roundTrip(Role.CLIENT, b -> FrameEncoder.ping(b, -5), "PING -5");
        roundTrip(Role.CLIENT, b -> FrameEncoder.pong(b, Long.MAX_VALUE), "PONG 9223372036854775807");
        roundTrip(Role.CLIENT, b -> FrameEncoder.ack(b, 123_456_789_012L), "ACK 123456789012");
    }

    @Test
    void goAway() throws Exception {
        roundTrip(Role.SERVER, b -> FrameEncoder.goAway(b, ErrorCode.SHUTTING_DOWN, "bye"), "GOAWAY SHUTTING_DOWN bye");
    }

    @Test
    void goAwayMessageIsCutAtTheLimitOnACharacterBoundary() throws Exception {
        String longMessage = "é".repeat(Wire.MAX_MESSAGE_BYTES);
        roundTrip(Role.SERVER, b -> FrameEncoder.goAway(b, ErrorCode.INTERNAL_ERROR, longMessage),
                "GOAWAY INTERNAL_ERROR " + "é".repeat(Wire.MAX_MESSAGE_BYTES / 2));
    }

    @Test
    void resumeAndResumed() throws Exception {
        Resume resume = new Resume(SESSION, 99, 1L << 33, 0xFFFF_FFFFL, new byte[] {9, 8, 7}, "laptop:s3cret");
        roundTrip(Role.SERVER, b -> FrameEncoder.resume(b, resume), resume.toString());
        byte[] nonce = new byte[Wire.NONCE_BYTES];
        nonce[15] = (byte) 0xAB;
        roundTrip(Role.CLIENT, b -> FrameEncoder.resumed(b, 1L << 50, 7, nonce),
                "RESUMED " + (1L << 50) + " 7 " + "00".repeat(15) + "ab");
    }

    @Test
    void datagram() throws Exception {
        roundTrip(Role.CLIENT, b -> FrameEncoder.datagram(b, 12, ByteBuffer.wrap(new byte[] {1, 2})), "DATAGRAM 12 0102");
    }

    @Test
    void moving() throws Exception {
        roundTrip(Role.CLIENT, FrameEncoder::moving, "MOVING");
        byte[] fromClient = encode(FrameEncoder::moving);
        ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
                () -> new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(fromClient), new RecordingHandler()));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), "only a server sends MOVING");
    }

    @Test
    void pathAndJoin() throws Exception {
        PathControl path = new PathControl(PathControl.Mode.REDUNDANT, false, true, 0xFFFF_FFFFL, 1L << 40);
        roundTrip(Role.SERVER, b -> FrameEncoder.path(b, path), path.toString());
        ProtocolException fromServer = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
                () -> new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(encode(b -> FrameEncoder.path(b, path))),
                        new RecordingHandler()));
        assertEquals(ErrorCode.PROTOCOL_ERROR, fromServer.code(), "only a client sends PATH");
        Resume join = new Resume(SESSION, 1, 2, 3, new byte[] {1}, "", null, true);
        roundTrip(Role.SERVER, b -> FrameEncoder.resume(b, join), join.toString());
        byte[] joinBytes = encode(b -> FrameEncoder.resume(b, join));
        assertEquals(Wire.FLAG_JOIN, joinBytes[Wire.OFF_FLAGS], "JOIN is the header's flag");
    }

    @Test
    void aPathWithAnUnknownModeRoleOrFlagIsRefused() {
        PathControl path = new PathControl(PathControl.Mode.STANDBY, true, false, 0, 0);
        for (int[] poke : new int[][] {{0, 0}, {0, 4}, {1, 0}, {1, 3}, {2, 2}, {3, 1}}) {
            byte[] bytes = encode(b -> FrameEncoder.path(b, path));
            bytes[Wire.HEADER_BYTES + poke[0]] = (byte) poke[1];
            ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
                    () -> new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(bytes), new RecordingHandler()));
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), "byte " + poke[0] + " = " + poke[1]);
        }
        byte[] farOffset = encode(b -> FrameEncoder.path(b, path));
        farOffset[Wire.HEADER_BYTES + 8] = (byte) 0x80;
        ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
                () -> new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(farOffset), new RecordingHandler()));
        assertEquals(ErrorCode.SEQUENCE_ERROR, e.code());
    }

    @Test
    void aFrameTheHandlerHoldsIsHandedOverWholeAndNotDispatched() throws Exception {
        byte[] bytes = encode(b -> {
            FrameEncoder.fin(b, 40, 1);
            FrameEncoder.fin(b, 60, 3);
        });
        List<String> held = new java.util.ArrayList<>();
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public Placement place(FrameType type, long seq, int frameBytes) {
                return seq == 40 ? Placement.HOLD : Placement.TAKE;
            }

            @Override
            public void hold(long seq, ByteBuffer frame) {
                held.add(seq + ":" + frame.remaining() + ":" + frame.get(frame.position() + 1));
            }
        };
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(bytes), handler);
        assertEquals(List.of("40:20:" + FrameType.FIN.code()), held);
        assertEquals(List.of("FIN 3"), handler.frames);
    }

    @Test
    void everyFrameTypeHasARoundTripHere() {
        // A new frame type must come with a round trip test above; this fails until one is added.
        assertEquals(18, FrameType.values().length);
    }

    @Test
    void severalFramesInOneBufferComeOutInOrder() throws Exception {
        byte[] bytes = encode(b -> {
            FrameEncoder.open(b, 0, 1, "svc");
            FrameEncoder.dataHeader(b, 24, 1, 1);
            b.put((byte) 7);
            FrameEncoder.fin(b, 45, 1);
            FrameEncoder.ping(b, 1);
        });
        RecordingHandler handler = new RecordingHandler();
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(bytes), handler);
        assertEquals(List.of("seq=0 OPEN 1 svc", "seq=24 DATA 1 07", "seq=45 FIN 1", "PING 1"), handler.frames);
    }

    @Test
    void duplicateSequencedFramesAreSkippedWhenTheHandlerSaysSo() throws Exception {
        byte[] bytes = encode(b -> {
            FrameEncoder.fin(b, 0, 1);
            FrameEncoder.fin(b, 20, 3);
        });
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public boolean admitSequenced(FrameType type, long seq, int frameBytes) {
                super.admitSequenced(type, seq, frameBytes);
                return seq >= 20;
            }
        };
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(bytes), handler);
        assertEquals(List.of("seq=20 FIN 3"), handler.frames);
    }

    @Test
    void theExampleInProtocolMdIsWhatTheEncoderWrites() {
        byte[] bytes = encode(b -> {
            FrameEncoder.open(b, 0, 1, "web");
            FrameEncoder.dataHeader(b, 24, 1, 2);
            b.put((byte) 'h').put((byte) 'i');
            FrameEncoder.fin(b, 42, 1);
        });
        String expected = "01030000" + "00000001" + "00000004" + "0000000000000000" + "03776562"
                + "01060000" + "00000001" + "00000002" + "0000000000000018" + "6869"
                + "01070000" + "00000001" + "00000000" + "000000000000002a";
        assertEquals(expected, java.util.HexFormat.of().formatHex(bytes));
    }

    @Test
    void encoderRefusesInvalidServiceNames() {
        assertThrows(IllegalArgumentException.class, () -> encode(b -> FrameEncoder.open(b, 0, 1, "has space")));
        assertThrows(IllegalArgumentException.class, () -> encode(b -> FrameEncoder.open(b, 0, 1, "")));
        assertThrows(IllegalArgumentException.class, () -> encode(b -> FrameEncoder.open(b, 0, 1, "x".repeat(256))));
        assertTrue(ServiceNames.isValid("x".repeat(255)));
    }
}
