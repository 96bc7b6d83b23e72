package io.roamtun.engine.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimersTest {

    @Test
    void runsDueTimersInDeadlineOrderThenScheduleOrder() {
        Timers timers = new Timers();
        List<String> ran = new ArrayList<>();
        timers.schedule(30, () -> ran.add("c"));
        timers.schedule(10, () -> ran.add("a"));
        timers.schedule(10, () -> ran.add("b"));
        timers.schedule(50, () -> ran.add("late"));
        timers.runDue(30, bug -> { throw new AssertionError(bug); });
        assertEquals(List.of("a", "b", "c"), ran);
        assertEquals(1, timers.millisUntilNext(30)); // "late" is 20 ns away: the next turn, in whole milliseconds
    }

    @Test
    void aCancelledTimerNeverRunsAndLetsGoOfItsTaskAtOnce() {
        Timers timers = new Timers();
        boolean[] ran = {false};
        Timer t = timers.schedule(10, () -> ran[0] = true);
        t.cancel();
        assertFalse(t.isPending());
        // the task (and whatever it captured: a closed link and its TLS engine) is unreachable from the queue
        assertNull(t.task);
        timers.runDue(100, bug -> { throw new AssertionError(bug); });
        assertFalse(ran[0]);
        assertEquals(-1, timers.millisUntilNext(100));
    }

    @Test
    void aFailingTaskIsReportedAndTheOthersStillRun() {
        Timers timers = new Timers();
        List<Throwable> bugs = new ArrayList<>();
        boolean[] ran = {false};
        timers.schedule(1, () -> { throw new IllegalStateException("bug"); });
        timers.schedule(2, () -> ran[0] = true);
        timers.runDue(5, bugs::add);
        assertEquals(1, bugs.size());
        assertTrue(ran[0]);
    }

    @Test
    void manyCancelledTimersArePurgedFromTheQueue() {
        Timers timers = new Timers();
        for (int i = 0; i < 20_000; i++) {
            timers.schedule(1_000_000 + i, () -> { }).cancel();
        }
        Timer live = timers.schedule(5, () -> { });
        assertTrue(timers.size() < 20_001 / 2, "queue still holds " + timers.size());
        assertTrue(live.isPending());
    }
}
