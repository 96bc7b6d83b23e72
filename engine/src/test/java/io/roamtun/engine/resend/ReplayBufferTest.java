package io.roamtun.engine.resend;

import io.roamtun.engine.buffer.BufferPool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Wire;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {
    private static final int SEGMENT = 128 * 1024;

    private final BufferPool pool = new BufferPool(SEGMENT, 4);

    /**
     * Adds one DATA frame of up to {@code n} bytes of value {@code fill} (less when the segment's tail is
     * shorter: the slot says how much fits, as a socket read would fill it); returns its offset.
     */
    private static long addData(ReplayBuffer replay, int streamId, int n, byte fill) {
        ByteBuffer slot = replay.reserveData(n);
        assertNotNull(slot, "room for " + n);
        int size = slot.remaining();
        assertTrue(size > 0 && size <= n);
        for (int i = 0; i < size; i++) {
            slot.put(fill);
        }
        return replay.commitData(streamId, size);
    }

    private static byte[] read(ReplayBuffer replay, long from, long to) {
        ByteBuffer[] views = new ByteBuffer[64];
        int count = replay.views(from, to, views, 0, views.length);
        ByteBuffer all = ByteBuffer.allocate((int) (to - from));
        for (int i = 0; i < count; i++) {
            all.put(views[i]);
        }
        assertEquals(0, all.remaining(), "views cover the range");
        return all.array();
    }

    @Test
    void framesGetConsecutiveOffsetsAcrossSegments() {
        ReplayBuffer replay = new ReplayBuffer(pool, 8 * SEGMENT);
        long expected = 0;
        for (int i = 0; i < 20; i++) {
            long seq = addData(replay, 1, 30_000, (byte) i);
            assertEquals(expected, seq);
            expected = replay.head();
            assertTrue(expected - seq <= Wire.HEADER_BYTES + 30_000);
        }
        assertEquals(expected, replay.head());
        assertEquals(expected, replay.unacknowledged());
        // Every frame reads back whole, with its own header, wherever the segment boundaries fall.
        long at = 0;
        for (int i = 0; i < 20; i++) {
            assertTrue(replay.isFrameBoundary(at));
            int size = replay.frameBytesAt(at);
            byte[] frame = read(replay, at, at + size);
            ByteBuffer b = ByteBuffer.wrap(frame);
            assertEquals(at, b.getLong(12), "sequence offset in header");
            assertEquals((byte) i, frame[frame.length - 1]);
            at += size;
        }
        assertFalse(replay.isFrameBoundary(7));
    }

    /**
     * A peer can only have received whole frames: an ACK inside a frame or beyond the head is a lie, told
     * apart from a good one without trusting bytes inside a frame as a length (that let a lying peer spin
     * the loop). Frames of every size, across segment boundaries.
     */
    @Test
    void theAckCheckTellsFrameBoundariesFromLies() {
        ReplayBuffer replay = new ReplayBuffer(pool, 8 * SEGMENT);
        java.util.List<Long> boundaries = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boundaries.add(addData(replay, 1, i % 3 == 0 ? 1 : 9_000 * (i % 7 + 1), (byte) 0xFF));
            ByteBuffer slot = replay.reserveFrame(FrameEncoder.EMPTY_FRAME_BYTES);
            FrameEncoder.fin(slot, replay.head(), 3);
            boundaries.add(replay.head());
            replay.commitFrame(FrameEncoder.EMPTY_FRAME_BYTES);
        }
        boundaries.add(replay.head());
        assertEquals(AckCheck.NOT_NEW, AckCheck.of(replay, 0), "nothing acknowledged yet: 0 says nothing");
        assertEquals(AckCheck.BEYOND_HEAD, AckCheck.of(replay, replay.head() + 1));
        for (int i = 1; i < boundaries.size(); i += 3) {
            long b = boundaries.get(i);
            assertEquals(AckCheck.INSIDE_FRAME, AckCheck.of(replay, b - 1), "just before a frame start");
            assertEquals(AckCheck.INSIDE_FRAME, AckCheck.of(replay, b - Wire.HEADER_BYTES + 8),
                    "where a frame's length field would be read from");
            assertEquals(AckCheck.NEW, AckCheck.of(replay, b));
            replay.acknowledge(b);
            assertEquals(AckCheck.NOT_NEW, AckCheck.of(replay, b), "said twice");
            assertEquals(AckCheck.NOT_NEW, AckCheck.of(replay, boundaries.get(i - 1)), "older");
        }
        long next = replay.head();
        long held = replay.acked();
        Object writer = new Object();
        replay.pin(writer, held); // a link is halfway through the frame at 'held'
        assertEquals(AckCheck.NEW, AckCheck.of(replay, next));
        replay.acknowledge(next);
        assertEquals(next, replay.highestAck());
        assertEquals(held, replay.acked(), "the pinned frame stays");
        assertEquals(AckCheck.NEW, AckCheck.of(replay, next), "said again (after a move) while held: taken again");
        replay.unpin(writer);
        assertEquals(next, replay.acked(), "the frame is out: freed");
        assertEquals(AckCheck.NOT_NEW, AckCheck.of(replay, next));
    }

    @Test
    void acknowledgementFreesWholeSegmentsOnlyAndIgnoresStaleAcks() {
        ReplayBuffer replay = new ReplayBuffer(pool, 8 * SEGMENT);
        for (int i = 0; i < 10; i++) {
            addData(replay, 1, 60_000, (byte) 1);
        }
        long footprint = replay.footprint();
        replay.acknowledge(Wire.HEADER_BYTES + 60_000); // first frame only: its segment holds more
        assertEquals(footprint, replay.footprint());
        replay.acknowledge(10); // out of date: ignored
        assertEquals(Wire.HEADER_BYTES + 60_000, replay.acked());
        assertTrue(replay.isFrameBoundary(replay.acked()));
        replay.acknowledge(replay.head());
        assertEquals(0, replay.footprint(), "everything acknowledged, every segment back in the pool");
        assertEquals(0, pool.lent());
        assertThrows(IllegalArgumentException.class, () -> replay.acknowledge(replay.head() + 1));
    }

    @Test
    void dataStopsAtTheBoundButControlFramesStillFit() {
        ReplayBuffer replay = new ReplayBuffer(pool, 4 * SEGMENT);
        int frames = 0;
        while (replay.hasDataRoom()) {
            addData(replay, 1, 65_536, (byte) 0);
            frames++;
        }
        assertNull(replay.reserveData(1000), "data is refused when full: the caller stops reading its socket");
        assertTrue(replay.footprint() <= 4L * SEGMENT);
        assertTrue(frames >= 5, "most of the buffer was usable for data: " + frames);
        ByteBuffer slot = replay.reserveFrame(FrameEncoder.EMPTY_FRAME_BYTES);
        assertNotNull(slot, "FIN still fits");
        FrameEncoder.fin(slot, replay.head(), 1);
        replay.commitFrame(FrameEncoder.EMPTY_FRAME_BYTES);
        // Acknowledge everything: room again.
        replay.acknowledge(replay.head());
        assertNotNull(replay.reserveData(100));
        replay.cancelData();
    }

    @Test
    void offsetsKeepGrowingPastManyWrapsOfTheBuffer() {
        ReplayBuffer replay = new ReplayBuffer(pool, 2 * SEGMENT);
        long total = 0;
        for (int round = 0; round < 2_000; round++) {
            long seq = addData(replay, 3, 50_000, (byte) round);
            assertEquals(total, seq);
            total = replay.head();
            replay.acknowledge(total);
        }
        assertEquals(total, replay.head());
        assertTrue(total > 4L * 2 * SEGMENT * 10, "went around many times");
        assertEquals(0, replay.unacknowledged());
    }

    @Test
    void cancelledReservationLeavesNoTrace() {
        ReplayBuffer replay = new ReplayBuffer(pool, 4 * SEGMENT);
        replay.reserveData(1000);
        replay.cancelData();
        assertEquals(0, replay.head());
        assertEquals(0, replay.footprint());
        assertEquals(0, pool.lent());
    }

    @Test
    void releaseReturnsEverySegment() {
        ReplayBuffer replay = new ReplayBuffer(pool, 8 * SEGMENT);
        for (int i = 0; i < 6; i++) {
            addData(replay, 1, 65_536, (byte) 0);
        }
        replay.release();
        assertEquals(0, pool.lent());
    }
}
