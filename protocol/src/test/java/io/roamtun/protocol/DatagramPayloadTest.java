package io.roamtun.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatagramPayloadTest {
    private static List<DatagramPayload> decodeFrames(ByteBuffer frames) throws ProtocolException {
        List<DatagramPayload> got = new ArrayList<>();
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(frames, new RecordingHandler() {
            @Override
            public void onDatagram(int flowId, ByteBuffer payload) {
                DatagramPayload d;
                try {
                    d = DatagramPayload.decode(payload);
                } catch (ProtocolException e) {
                    throw new AssertionError(e);
                }
                byte[] copy = new byte[d.data().remaining()];
                d.data().get(copy);
                got.add(new DatagramPayload(flowId + ":" + d.service(), ByteBuffer.wrap(copy)));
            }
        });
        return got;
    }

    @Test
    void aDatagramKeepsItsBoundariesAndNamesItsService() throws Exception {
        ByteBuffer frames = ByteBuffer.allocate(256);
        ByteBuffer data = ByteBuffer.wrap("query".getBytes());
        DatagramPayload.encode(frames, 7, "dns", data);
        assertEquals(5, data.remaining(), "the data's position is not moved");
        DatagramPayload.encode(frames, 7, "dns", ByteBuffer.allocate(0)); // an empty datagram is a datagram
        assertEquals(2 * Wire.HEADER_BYTES + 2 * DatagramPayload.overhead("dns") + 5, frames.position());
        List<DatagramPayload> got = decodeFrames(frames.flip());
        assertEquals(2, got.size());
        assertEquals("7:dns", got.get(0).service());
        assertEquals(ByteBuffer.wrap("query".getBytes()), got.get(0).data());
        assertEquals(0, got.get(1).data().remaining());
    }

    @Test
    void hostilePayloadsArePROTOCOL_ERROR() {
        byte[][] hostile = {
            {0, 'x'}, // a name of no bytes
            {9, 'd', 'n', 's'}, // a name longer than the payload
            {3, 'd', ' ', 's', 1}, // a byte no name has
        };
        for (byte[] payload : hostile) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> DatagramPayload.decode(ByteBuffer.wrap(payload)));
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), e.getMessage());
        }
    }
}
