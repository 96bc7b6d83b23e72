package io.roamtun.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReceiveWindowTest {
    private static final int KIB = 1024;

    @Test
    void thePeerMaySendTheWindowAndNotOneByteMore() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 4096 * KIB);
        assertTrue(w.take(512 * KIB - 1));
        assertTrue(w.take(1));
        assertFalse(w.take(1));
        assertEquals(1, w.excess(1));
    }

    @Test
    void creditGoesBackOnceHalfTheWindowIsConsumed() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 512 * KIB);
        w.take(512 * KIB);
        w.consumed(256 * KIB - 1);
        assertFalse(w.owesUpdate());
        w.consumed(1);
        assertTrue(w.owesUpdate());
        assertEquals(256 * KIB, w.grant(0, false), "no room to grow: exactly what was consumed");
        assertFalse(w.owesUpdate());
        assertEquals(256 * KIB, w.remaining());
    }

    @Test
    void theWindowDoublesUpToItsMaximumWhileTheLocalSocketKeepsUp() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 4096 * KIB);
        int[] expectedSizes = {1024 * KIB, 2048 * KIB, 4096 * KIB, 4096 * KIB};
        for (int expected : expectedSizes) {
            long before = w.size();
            assertTrue(w.take((int) w.remaining()));
            w.consumed((int) (before / 2));
            int increment = w.grant(0, false);
            assertEquals(expected, w.size());
            assertEquals(before / 2 + (expected - before), increment, "consumed bytes plus the growth");
        }
        // The peer may now have the whole grown window in flight, and no more.
        assertTrue(w.take((int) w.remaining()));
        assertFalse(w.take(1));
    }

    @Test
    void aSlowLocalSocketOrMemoryPressureKeepsTheWindowAsItIs() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 4096 * KIB);
        w.take(512 * KIB);
        w.consumed(256 * KIB);
        assertEquals(256 * KIB, w.grant(1, false), "bytes still queued for the app: no growth");
        assertEquals(512 * KIB, w.size());
        w.consumed(256 * KIB);
        assertEquals(256 * KIB, w.grant(0, true), "memory under pressure: no growth");
        assertEquals(512 * KIB, w.size());
        assertEquals(512 * KIB, w.remaining(), "never more than the window in flight");
    }

    @Test
    void aGrownWindowHalvesBackWhileBytesAreQueuedForTheLocalSocket() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 4096 * KIB);
        long unconsumed = 0; // taken from the peer, not yet written to the app
        while (w.size() < 4096 * KIB) { // a fast app: the window grows to its maximum
            unconsumed += w.remaining();
            w.take((int) w.remaining());
            unconsumed -= w.size() / 2;
            w.consumed(w.size() / 2);
            w.grant(0, false);
            assertEquals(w.size(), w.remaining() + unconsumed);
        }
        // The app slows down: bytes are queued for it each time credit is due.
        int[] expectedSizes = {2048 * KIB, 1024 * KIB, 512 * KIB, 512 * KIB};
        for (int expected : expectedSizes) {
            long inFlight = w.remaining();
            w.take((int) inFlight);
            unconsumed += inFlight;
            int half = w.size() / 2;
            w.consumed(half);
            unconsumed -= half;
            int increment = w.grant(unconsumed, false); // all of it still queued: the app is behind
            assertEquals(expected, w.size());
            assertEquals(w.size(), w.remaining() + unconsumed, "what the peer may send plus what is queued is the window");
        }
    }

    @Test
    void aFewBytesQueuedForAFastAppNeitherGrowNorShrinkTheWindow() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 4096 * KIB);
        w.take((int) w.remaining());
        w.consumed(256 * KIB);
        w.grant(0, false); // 1 MiB now
        w.take((int) w.remaining());
        w.consumed(512 * KIB);
        assertEquals(512 * KIB, w.grant(64 * KIB, false), "exactly what was consumed");
        assertEquals(1024 * KIB, w.size());
    }

    @Test
    void aShrinkMayWithholdAllThatWasConsumed() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 4096 * KIB);
        w.take((int) w.remaining());
        w.consumed(256 * KIB);
        w.grant(0, false); // 1 MiB now
        w.take((int) w.remaining());
        w.consumed(512 * KIB); // exactly half: halving withholds all of it
        assertEquals(0, w.grant(0, true), "no WINDOW_UPDATE (one of 0 would be an error)");
        assertEquals(512 * KIB, w.size());
        assertFalse(w.owesUpdate());
        assertEquals(0, w.remaining(), "the other half is still queued: the peer waits for it to drain");
    }

    @Test
    void aStreamThatIsOverGrantsNothingMore() {
        ReceiveWindow w = new ReceiveWindow(512 * KIB, 4096 * KIB);
        w.take(300 * KIB);
        w.consumed(300 * KIB);
        w.forget();
        assertFalse(w.owesUpdate());
    }

    @Test
    void nonsenseSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReceiveWindow(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new ReceiveWindow(10, 5));
    }
}
