package io.roamtun.engine.datagram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatagramQueueTest {
    private static byte[] frame(int tag, int size) {
        byte[] f = new byte[size];
        f[0] = (byte) tag;
        return f;
    }

    /** Drains into one buffer of {@code room} bytes; the tags of what moved. */
    private static List<Integer> drain(DatagramQueue q, int room) {
        ByteBuffer buf = ByteBuffer.allocate(room);
        List<Integer> tags = new ArrayList<>();
        q.drainInto(n -> {
            if (buf.remaining() < n) {
                return null;
            }
            tags.add(-1);
            return buf;
        });
        buf.flip();
        tags.clear();
        while (buf.hasRemaining()) {
            tags.add((int) buf.get());
            buf.position(buf.position() + 99);
        }
        return tags;
    }

    @Test
    void whileALinkIsUpAFullQueueDropsTheNewcomerAndCountsIt() {
        DatagramQueue q = new DatagramQueue();
        for (int i = 0; i < DatagramQueue.MAX_FRAMES; i++) {
            assertTrue(q.offer(frame(i, 100), true));
        }
        assertFalse(q.offer(frame(1, 100), true));
        assertEquals(1, q.droppedFull());
        assertEquals(DatagramQueue.MAX_FRAMES, q.size());
        DatagramQueue bytes = new DatagramQueue();
        assertTrue(bytes.offer(new byte[DatagramQueue.MAX_BYTES - 10], true));
        assertFalse(bytes.offer(new byte[11], true), "the byte bound holds as well");
        assertTrue(bytes.offer(new byte[10], true));
    }

    @Test
    void whileAwayOnlyTheNewestAreHeldAndTheOldestDroppedAreCounted() {
        DatagramQueue q = new DatagramQueue();
        for (int i = 0; i < 40; i++) {
            assertTrue(q.offer(frame(i, 100), false));
        }
        assertEquals(DatagramQueue.HELD_WHILE_AWAY, q.size());
        assertEquals(40 - DatagramQueue.HELD_WHILE_AWAY, q.droppedWhileAway());
        assertEquals(40 - DatagramQueue.HELD_WHILE_AWAY, drain(q, 100_000).get(0), "the oldest went first");
    }

    @Test
    void losingTheLinkTrimsWhatWasQueuedToWhatIsHeld() {
        DatagramQueue q = new DatagramQueue();
        for (int i = 0; i < 100; i++) {
            q.offer(frame(i, 100), true);
        }
        q.linkLost();
        assertEquals(DatagramQueue.HELD_WHILE_AWAY, q.size());
        assertEquals(100 - DatagramQueue.HELD_WHILE_AWAY, q.droppedWhileAway());
        assertEquals(DatagramQueue.HELD_WHILE_AWAY * 100, q.bytes());
    }

    @Test
    void drainingStopsWhereTheRoomEndsAndKeepsOrder() {
        DatagramQueue q = new DatagramQueue();
        for (int i = 0; i < 5; i++) {
            q.offer(frame(i, 100), true);
        }
        assertEquals(List.of(0, 1, 2), drain(q, 350));
        assertEquals(2, q.size());
        assertEquals(List.of(3, 4), drain(q, 1000));
        assertEquals(0, q.bytes());
        byte[] whole = frame(9, 100);
        q.offer(whole, true);
        ByteBuffer out = ByteBuffer.allocate(100);
        q.drainInto(n -> out);
        assertArrayEquals(whole, out.array());
    }
}
