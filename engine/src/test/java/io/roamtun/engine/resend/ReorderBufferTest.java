package io.roamtun.engine.resend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReorderBufferTest {
    private static ByteBuffer frame(int bytes, int mark) {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        b.put(0, (byte) mark);
        return b;
    }

    @Test
    void framesComeOutInOrderOnceTheGapBeforeThemIsFilled() throws Exception {
        ReorderBuffer held = new ReorderBuffer(1000);
        held.hold(300, frame(100, 3), 100);
        held.hold(200, frame(100, 2), 100);
        assertNull(held.takeNext(100), "the frame at 100 (the gap) has not come");
        // the frame at 100 arrives by the link that was behind and is handled: received is 200 now
        assertEquals(2, held.takeNext(200).get(0));
        assertEquals(3, held.takeNext(300).get(0));
        assertNull(held.takeNext(400));
        assertEquals(0, held.bytesHeld());
    }

    @Test
    void aCopyOfAHeldFrameAndAFrameThatArrivedInOrderMeanwhileAreDropped() throws Exception {
        ReorderBuffer held = new ReorderBuffer(1000);
        held.hold(200, frame(100, 2), 100);
        held.hold(200, frame(100, 2), 100);
        assertEquals(1, held.framesHeld());
        assertEquals(1, held.duplicates());
        held.hold(300, frame(100, 3), 100);
        // the link that was behind brought 100..400 itself (a resend after a lost path): the held copies are stale
        assertNull(held.takeNext(400));
        assertEquals(3, held.duplicates());
        assertEquals(0, held.bytesHeld());
    }

    @Test
    void aFrameStraddlingTheReceivedOffsetIsHandedOnForTheSequenceCheckToRefuse() throws Exception {
        ReorderBuffer held = new ReorderBuffer(1000);
        held.hold(150, frame(100, 9), 100);
        ByteBuffer straddling = held.takeNext(200);
        assertEquals(9, straddling.get(0), "handed on, not silently dropped: the decoder's place() refuses it");
    }

    @Test
    void nothingBeyondTheWindowIsHeldAndTheHeldBytesAreBoundedToo() throws Exception {
        ReorderBuffer held = new ReorderBuffer(2000);
        assertTrue(held.withinWindow(150, 1950, 100));
        assertEquals(ErrorCode.SEQUENCE_ERROR, assertThrows(ProtocolException.class, () -> held.hold(150, frame(1951, 1), 100)).code());
        assertTrue(!held.withinWindow(Long.MAX_VALUE - 10, 100, 100), "no overflow near 2^63: far beyond, not within");
        assertEquals(ErrorCode.SEQUENCE_ERROR, assertThrows(ProtocolException.class, () -> held.hold(100, frame(10, 1), 100)).code(),
                "a frame at the received offset is not ahead of it");
        // a lying peer's overlapping frames, each within the window, cannot add up past it
        for (int i = 0; i < 9; i++) {
            held.hold(101 + i, frame(100, 1), 100);
        }
        assertEquals(ErrorCode.SEQUENCE_ERROR, assertThrows(ProtocolException.class, () -> held.hold(120, frame(200, 1), 100)).code());
        assertTrue(held.bytesHeld() <= 2000, "held frames are counted with their overhead: " + held.bytesHeld());
    }
}
