package io.roamtun.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules PROTOCOL.md states for extension and negotiation, each checked at the codec. */
class WireRulesTest {

    private static ByteBuffer frame(int type, int streamId, int length, long seq) {
        ByteBuffer b = ByteBuffer.allocate(Wire.HEADER_BYTES + length);
        b.put((byte) Wire.VERSION).put((byte) type).putShort((short) 0).putInt(streamId).putInt(length).putLong(seq);
        b.position(b.capacity()).flip();
        return b;
    }

    private static ByteBuffer concat(ByteBuffer... parts) {
        int size = 0;
        for (ByteBuffer p : parts) {
            size += p.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer p : parts) {
            all.put(p);
        }
        return all.flip();
    }

    private static ProtocolException reject(FrameDecoder decoder, ByteBuffer bytes) {
        return assertThrows(ProtocolException.class, () -> decoder.decode(bytes, new RecordingHandler()));
    }

    @Test
    void anExtensionFrameIsSkippedWholeAndTheNextFrameDecoded() throws Exception {
        ByteBuffer ping = ByteBuffer.allocate(FrameEncoder.LONG_FRAME_BYTES);
        FrameEncoder.ping(ping, 7);
        ByteBuffer bytes = concat(frame(0x81, 0, 100, 0), frame(0xFF, 3, 0, 0), ping.flip());
        RecordingHandler handler = new RecordingHandler();
        List<String> seen = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD);
        decoder.observeWith((type, stream, length, seq) -> seen.add(Wire.frameLog(true, type, stream, length, seq)));
        decoder.decode(bytes, handler);
        assertEquals(List.of("PING 7"), handler.frames);
        assertEquals(List.of("<< EXTENSION len=100", "<< EXTENSION stream=3 len=0", "<< PING len=8"), seen);
        assertEquals(bytes.limit(), bytes.position());
    }

    @Test
    void anUnknownTypeBelowTheExtensionRangeEndsTheLink() {
        for (int code : new int[] {0x00, 0x12, 0x7F}) {
            assertEquals(ErrorCode.UNKNOWN_FRAME_TYPE, reject(new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD), frame(code, 0, 0, 0)).code());
        }
    }

    @Test
    void anExtensionFrameCannotTakeAPlaceInTheSequence() {
        assertEquals(ErrorCode.SEQUENCE_ERROR, reject(new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD), frame(0x90, 0, 0, 40)).code());
    }

    @Test
    void framesSentTheWrongWayArePROTOCOL_ERROR() {
        FrameDecoder client = new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD);
        FrameDecoder server = new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD);
        ByteBuffer hello = ByteBuffer.allocate(64);
        FrameEncoder.hello(hello, new Hello(1, 1, 0, 65536, 65536));
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(client, hello.flip()).code());
        ByteBuffer resume = ByteBuffer.allocate(128);
        FrameEncoder.resume(resume, new Resume(SessionId.random(), 0, 0, 1, new byte[32]));
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(client, resume.flip()).code());
        ByteBuffer welcome = ByteBuffer.allocate(FrameEncoder.WELCOME_FRAME_BYTES);
        FrameEncoder.welcome(welcome, new Welcome(1, 0, 65536, 65536, SessionId.random(), new byte[32], new byte[16]));
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(server, welcome.flip()).code());
        ByteBuffer resumed = ByteBuffer.allocate(FrameEncoder.RESUMED_FRAME_BYTES);
        FrameEncoder.resumed(resumed, 0, 0, new byte[16]);
        assertEquals(ErrorCode.PROTOCOL_ERROR, reject(server, resumed.flip()).code());
        // OPEN_OK for a stream the receiver's peer opened: the wrong id space, BAD_STREAM_ID (the session checks it).
    }

    @Test
    void beforeTheHandshakeAFrameOver2048BytesIsRefusedFromItsHeaderAlone() {
        FrameDecoder decoder = new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD);
        decoder.handshaking(true);
        ByteBuffer onlyHeader = ByteBuffer.allocate(Wire.HEADER_BYTES);
        onlyHeader.put((byte) 1).put((byte) FrameType.HELLO.code()).putShort((short) 0).putInt(0).putInt(3000).putLong(0).flip();
        ProtocolException e = reject(decoder, onlyHeader);
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("before the handshake"), e.getMessage());
    }

    @Test
    void afterTheHandshakeTheLimitIsLifted() throws Exception {
        FrameDecoder decoder = new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD);
        decoder.handshaking(true);
        decoder.handshaking(false);
        ByteBuffer data = frame(FrameType.DATA.code(), 1, 3000, 0);
        RecordingHandler handler = new RecordingHandler();
        decoder.decode(data, handler);
        assertEquals(1, handler.frames.size());
    }

    /** max_payload bounds DATA and DATAGRAM; a GOAWAY or OPEN_FAIL of 1,026 bytes passes a receiver that announced 1,024. */
    @Test
    void maxPayloadBoundsDataOnlyAndTheAnnouncedValueIsHonoured() throws Exception {
        FrameDecoder decoder = new FrameDecoder(Role.CLIENT, Wire.MIN_ANNOUNCED_PAYLOAD);
        ByteBuffer goAway = ByteBuffer.allocate(FrameEncoder.MAX_CONTROL_FRAME_BYTES);
        FrameEncoder.goAway(goAway, ErrorCode.NO_ERROR, "x".repeat(Wire.MAX_MESSAGE_BYTES));
        assertEquals(Wire.HEADER_BYTES + 1026, goAway.position());
        ByteBuffer openFail = ByteBuffer.allocate(FrameEncoder.MAX_CONTROL_FRAME_BYTES);
        FrameEncoder.openFail(openFail, 0, 1, ErrorCode.UNKNOWN_SERVICE, "y".repeat(Wire.MAX_MESSAGE_BYTES));
        RecordingHandler handler = new RecordingHandler();
        decoder.decode(concat(openFail.flip(), goAway.flip()), handler);
        assertEquals(2, handler.frames.size());
        ProtocolException e = reject(decoder, frame(FrameType.DATA.code(), 2, 1025, 0));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
        handler.frames.clear();
        decoder.decode(frame(FrameType.DATA.code(), 2, 1024, 0), handler);
        assertEquals(1, handler.frames.size());
    }

    /** An offset of 2^63 or more is SEQUENCE_ERROR in every frame that carries one. */
    @Test
    void offsetsFrom2To63AreSequenceErrorsInEveryFrame() {
        FrameDecoder server = new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD);
        FrameDecoder client = new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD);
        assertEquals(ErrorCode.SEQUENCE_ERROR, reject(server, frame(FrameType.FIN.code(), 1, 0, Long.MIN_VALUE)).code());
        ByteBuffer ack = ByteBuffer.allocate(FrameEncoder.LONG_FRAME_BYTES);
        FrameEncoder.ack(ack, -1);
        assertEquals(ErrorCode.SEQUENCE_ERROR, reject(server, ack.flip()).code());
        ByteBuffer resume = ByteBuffer.allocate(128);
        FrameEncoder.resume(resume, new Resume(SessionId.random(), Long.MIN_VALUE, 0, 1, new byte[32]));
        assertEquals(ErrorCode.SEQUENCE_ERROR, reject(server, resume.flip()).code());
        ByteBuffer resumeSent = ByteBuffer.allocate(128);
        FrameEncoder.resume(resumeSent, new Resume(SessionId.random(), 0, -5, 1, new byte[32]));
        assertEquals(ErrorCode.SEQUENCE_ERROR, reject(server, resumeSent.flip()).code());
        ByteBuffer resumed = ByteBuffer.allocate(FrameEncoder.RESUMED_FRAME_BYTES);
        FrameEncoder.resumed(resumed, -1, 0, new byte[16]);
        assertEquals(ErrorCode.SEQUENCE_ERROR, reject(client, resumed.flip()).code());
    }

    @Test
    void capabilitiesAreTheIntersectionAndUnknownBitsAreIgnored() {
        assertEquals(Capabilities.SUPPORTED, Capabilities.negotiate(0xFFFFFFFF, Capabilities.offered(true)));
        assertEquals(0, Capabilities.negotiate(0, Capabilities.offered(true)));
        assertEquals(0, Capabilities.negotiate(0x8000_0000, 0xFFFF_FFFF) & ~Capabilities.SUPPORTED);
        assertEquals(0, Capabilities.negotiate(0xFFFFFFFF, Capabilities.offered(false)) & Capabilities.RESUME_CHANNEL_BINDING,
                "a side that cannot export keying material does not bind resumes, whatever the peer offers");
    }

    /** The framing version (header byte 0) is not the session version: a v2 session still frames with 1. */
    @Test
    void helloOfferingLaterSessionVersionsIsReadWithFramingVersion1() throws Exception {
        ByteBuffer hello = ByteBuffer.allocate(64);
        FrameEncoder.hello(hello, new Hello(1, 7, 0xFF, 65536, 65536));
        assertEquals(Wire.VERSION, hello.get(0));
        RecordingHandler handler = new RecordingHandler();
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(hello.flip(), handler);
        assertTrue(handler.frames.get(0).contains("1..7"), handler.frames.toString());
    }
}
