package io.roamtun.engine.buffer;

import io.roamtun.engine.resend.ReplayBuffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.protocol.FrameEncoder;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    private static final int SEGMENT = 128 * 1024;
    private static final long MINIMUM = ReplayBuffer.MINIMUM_SEGMENTS * SEGMENT;

    /** Tasks handed to "the loop", run only when the test says so. */
    private final ArrayDeque<Runnable> loop = new ArrayDeque<>();
    private final BufferPool pool = new BufferPool(SEGMENT, 4);

    private void runLoop() {
        Runnable task;
        while ((task = loop.poll()) != null) {
            task.run();
        }
    }

    /** A session's inbound queues, as the budget sees them: shedding drops the largest and gives its bytes back. */
    private static final class Queues implements MemoryBudget.QueueHolder {
        final MemoryBudget budget;
        final List<Long> queues = new ArrayList<>();

        Queues(MemoryBudget budget) {
            this.budget = budget;
        }

        void queue(long bytes) {
            budget.take(bytes); // bytes a peer was allowed to send: never refused by take
            budget.queuedChanged(bytes);
            queues.add(bytes);
        }

        @Override
        public long queuedBytes() {
            return queues.stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public void shedLargestQueue(String why) {
            if (!queues.isEmpty()) {
                long largest = queues.stream().mapToLong(Long::longValue).max().orElseThrow();
                queues.remove(largest);
                budget.giveBack(largest);
                budget.queuedChanged(-largest);
            }
        }
    }

    /**
     * At the limit, a session within its fair share gets room from one above its share (whose largest queue
     * is shed), never the other way round, and nothing sheds when nobody is above a share.
     */
    @Test
    void atTheLimitRoomComesFromTheSessionAboveItsShare() {
        MemoryBudget budget = new MemoryBudget(8 * MINIMUM, MINIMUM, SEGMENT, loop::add);
        Queues hog = new Queues(budget);
        Queues fair = new Queues(budget);
        budget.sessionStarted(hog);
        budget.sessionStarted(fair); // 2 minimums set aside; a fair share of the queues is half of the limit
        for (int i = 0; i < 8; i++) {
            hog.queue(MINIMUM);
        }
        assertFalse(budget.queueFits(SEGMENT), "8 queued = the limit for queues");
        assertEquals(4 * MINIMUM, budget.fairShare());
        assertFalse(budget.makeRoomForQueue(SEGMENT, hog), "the one above its share gets nothing from the others");
        assertEquals(8 * MINIMUM, hog.queuedBytes());
        assertTrue(budget.makeRoomForQueue(SEGMENT, fair));
        assertEquals(7 * MINIMUM, hog.queuedBytes(), "one queue shed, enough for the room asked");
        fair.queue(SEGMENT);
        while (hog.queuedBytes() > 4 * MINIMUM) {
            hog.shedLargestQueue("test");
        }
        fair.queue(3 * MINIMUM);
        assertFalse(budget.queueFits(MINIMUM));
        assertFalse(budget.makeRoomForQueue(MINIMUM, fair), "nobody above a share: no room, the caller refuses");
        budget.sessionEnded(hog);
        assertEquals(8 * MINIMUM, budget.fairShare(), "one session left: the whole limit is its share");
    }

    @Test
    void halfTheBudgetIsSetAsideAsSessionMinimumsAndDecidesHowManySessionsFit() {
        MemoryBudget budget = new MemoryBudget(8 * MINIMUM, MINIMUM, SEGMENT, loop::add);
        for (int i = 0; i < 4; i++) {
            assertTrue(budget.hasRoomForSession(), "session " + i);
            budget.sessionStarted();
        }
        assertFalse(budget.hasRoomForSession(), "a fifth minimum does not fit in half of eight");
        assertEquals(0, budget.sessionsLeft());
        budget.sessionEnded();
        assertTrue(budget.hasRoomForSession());
        assertEquals(1, budget.sessionsLeft());
    }

    @Test
    void theSharedHalfRefusesBeyondItsSizeAndWakesWaitersOnTheLoopWhenMemoryComesBack() {
        MemoryBudget budget = new MemoryBudget(8 * MINIMUM, MINIMUM, SEGMENT, loop::add);
        long half = 4 * MINIMUM;
        assertTrue(budget.tryTake(half));
        assertFalse(budget.tryTake(1));
        List<String> woken = new ArrayList<>();
        budget.whenRoom(() -> woken.add("a"));
        budget.whenRoom(() -> woken.add("b"));
        budget.giveBack(SEGMENT / 2);
        runLoop();
        assertTrue(woken.isEmpty(), "half a segment is no room to grow: nobody is woken to fail again");
        budget.giveBack(SEGMENT / 2);
        assertTrue(woken.isEmpty(), "never inside giveBack: the caller may be in the middle of another session");
        runLoop();
        assertEquals(List.of("a", "b"), woken);
        assertTrue(budget.tryTake(SEGMENT));
        // Bytes a peer was already allowed to send are taken even beyond the half, and counted.
        budget.take(SEGMENT);
        assertEquals(half + SEGMENT, budget.inUse());
        assertEquals(half + SEGMENT, budget.peakShared());
        assertThrows(IllegalStateException.class, () -> budget.giveBack(half + 2 * SEGMENT));
    }

    @Test
    void bytesThatCannotBeRefusedMayOvershootAndSayNewStreamsMustWait() {
        MemoryBudget budget = new MemoryBudget(8 * MINIMUM, MINIMUM, SEGMENT, loop::add);
        long half = 4 * MINIMUM;
        budget.take(half);
        assertFalse(budget.overLimit(), "exactly full is not over");
        budget.take(SEGMENT);
        assertTrue(budget.overLimit());
        assertFalse(budget.tryTake(1));
        budget.giveBack(SEGMENT);
        assertFalse(budget.overLimit(), "back to the size: new streams are welcome again");
    }

    @Test
    void aTooSmallBudgetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(3 * MINIMUM, MINIMUM, SEGMENT, loop::add));
    }

    @Test
    void aReplayBufferHoldsItsMinimumFreelyAndGrowsOnlyWithinTheSharedHalf() {
        MemoryBudget budget = new MemoryBudget(8 * MINIMUM, MINIMUM, SEGMENT, loop::add);
        ReplayBuffer replay = new ReplayBuffer(pool, 16 * SEGMENT, budget);
        budget.sessionStarted();
        // Another session has taken the whole shared half.
        assertTrue(budget.tryTake(4 * MINIMUM));
        // Data fits until the minimum's two segments are full, and not a byte further.
        ByteBuffer slot;
        int frames = 0;
        while ((slot = replay.reserveData(32 * 1024)) != null) {
            int n = slot.remaining();
            slot.position(slot.limit());
            replay.commitData(1, n);
            assertTrue(replay.footprint() <= MINIMUM, "grew beyond the minimum with no shared memory left");
            frames++;
        }
        assertTrue(frames > 4);
        assertEquals(MINIMUM, replay.footprint());
        assertTrue(replay.waitsForBudget(), "it is the budget, not the replay buffer's own cap, that says no");
        // Control frames are never refused; a segment they need beyond the minimum is counted.
        long before = budget.inUse();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer frame = replay.reserveFrame(FrameEncoder.WINDOW_UPDATE_FRAME_BYTES);
            assertNotNull(frame);
            FrameEncoder.windowUpdate(frame, replay.head(), 1, 1);
            replay.commitFrame(FrameEncoder.WINDOW_UPDATE_FRAME_BYTES);
            if (replay.footprint() > (long) ReplayBuffer.MINIMUM_SEGMENTS * SEGMENT) {
                break;
            }
        }
        assertEquals(before + SEGMENT, budget.inUse(), "the third segment is charged to the shared half");
        // Memory comes back: the other session gives its share back; this one can grow again.
        budget.giveBack(4 * MINIMUM);
        assertNotNull(replay.reserveData(1024));
        replay.cancelData();
        // Everything acknowledged and released: nothing stays charged.
        replay.acknowledge(replay.head());
        replay.release();
        budget.sessionEnded();
        assertEquals(0, budget.inUse());
    }
}
