package io.roamtun.engine.resend;

import io.roamtun.engine.resend.ResendPoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.ProtocolException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Where a resume resends from: the arithmetic, without sockets. */
class ResendPointTest {

    /** Three FINs of 20 bytes at offsets 0, 20, 40 (head 60). */
    private static ReplayBuffer replayWithThreeFrames() {
        ReplayBuffer replay = new ReplayBuffer(new BufferPool(256 * 1024, 2), 1 << 20);
        for (int i = 0; i < 3; i++) {
            ByteBuffer slot = replay.reserveFrame(FrameEncoder.EMPTY_FRAME_BYTES);
            FrameEncoder.fin(slot, replay.head(), 1 + 2 * i);
            replay.commitFrame(FrameEncoder.EMPTY_FRAME_BYTES);
        }
        return replay;
    }

    @Test
    void resendStartsWhereThePeerStoppedAtAFrameStart() throws Exception {
        ReplayBuffer replay = replayWithThreeFrames();
        assertEquals(0, ResendPoint.of(replay, 0));
        assertEquals(20, ResendPoint.of(replay, 20));
        assertEquals(60, ResendPoint.of(replay, 60), "peer has everything: nothing to resend");
        assertEquals(ErrorCode.SEQUENCE_ERROR, assertThrows(ProtocolException.class, () -> ResendPoint.of(replay, 30)).code(),
                "inside a frame");
        assertEquals(ErrorCode.SEQUENCE_ERROR, assertThrows(ProtocolException.class, () -> ResendPoint.of(replay, 61)).code(),
                "beyond what was ever sent");
        assertThrows(ProtocolException.class, () -> ResendPoint.of(replay, -1));
    }

    @Test
    void aResumeOlderThanTheLastAckResendsFromTheAck() throws Exception {
        ReplayBuffer replay = replayWithThreeFrames();
        replay.acknowledge(40); // the peer acknowledged 40 on the old link after making its RESUME(20)
        assertEquals(40, ResendPoint.of(replay, 20), "out-of-date resume point: the ACK is the truth");
        assertEquals(40, ResendPoint.of(replay, 0));
        replay.acknowledge(20); // a duplicated, older ACK changes nothing
        assertEquals(40, replay.acked());
    }
}
