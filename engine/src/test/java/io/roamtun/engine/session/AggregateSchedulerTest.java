package io.roamtun.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.roamtun.protocol.Wire;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregateSchedulerTest {
    /** Frames of 64 KiB + header, head and last ACK as the test sets them. */
    private static final class Frames implements AggregateScheduler.Frames {
        static final int FRAME = 65_556;
        long head;
        long ack;

        @Override public long head() { return head; }
        @Override public long highestAck() { return ack; }
        @Override public int frameBytesAt(long offset) { return FRAME; }
    }

    private static final class Path implements AggregateScheduler.Path {
        long rtt;
        boolean room = true;

        Path(long rtt) {
            this.rtt = rtt;
        }

        @Override public long rttNanos() { return rtt; }
        @Override public boolean hasRoom() { return room; }
    }

    @Test
    void theLowestRoundTripWithRoomGoesFirstAndTheOtherTakesOverWhenItIsFull() {
        Frames frames = new Frames();
        frames.head = 20L * Frames.FRAME;
        AggregateScheduler scheduler = new AggregateScheduler(frames);
        Path wifi = new Path(2_000_000);
        Path lte = new Path(30_000_000);
        List<Path> both = List.of(wifi, lte);
        assertEquals(-1, scheduler.claim(lte, both), "the faster path has room: it goes first");
        assertEquals(0, scheduler.claim(wifi, both));
        assertEquals(3L * Frames.FRAME, scheduler.claimEnd(), "whole frames, at most a claim's bytes");
        wifi.room = false;
        assertEquals(3L * Frames.FRAME, scheduler.claim(lte, both), "the faster path is full: the slower takes what follows");
        assertEquals(6L * Frames.FRAME, scheduler.scheduled());
    }

    @Test
    void nothingIsGivenOutPastTheReorderWindowBeyondTheLastAck() {
        Frames frames = new Frames();
        frames.head = 200L * Frames.FRAME;
        AggregateScheduler scheduler = new AggregateScheduler(frames);
        Path a = new Path(-1);
        long end = 0;
        while (scheduler.claim(a, List.of(a)) >= 0) {
            end = scheduler.claimEnd();
        }
        assertEquals(Wire.REORDER_WINDOW / Frames.FRAME * Frames.FRAME, end, "up to the last whole frame inside the window");
        frames.ack = 10L * Frames.FRAME;
        assertEquals(end, scheduler.claim(a, List.of(a)), "an ACK opens the window again");
    }

    @Test
    void aRewindHandsOutEverythingUnacknowledgedAgainAndVoidsEarlierRanges() {
        Frames frames = new Frames();
        frames.head = 10L * Frames.FRAME;
        AggregateScheduler scheduler = new AggregateScheduler(frames);
        Path a = new Path(-1);
        scheduler.claim(a, List.of(a));
        scheduler.claim(a, List.of(a));
        long generation = scheduler.generation();
        frames.ack = 2L * Frames.FRAME;
        scheduler.rewind();
        assertEquals(generation + 1, scheduler.generation());
        assertEquals(2L * Frames.FRAME, scheduler.claim(a, List.of(a)), "from the last ACK: what the lost link carried goes again");
    }

    @Test
    void aLinkStartingToShareBeginsAfterWhatWentOutInOrder() {
        Frames frames = new Frames();
        frames.head = 10L * Frames.FRAME;
        AggregateScheduler scheduler = new AggregateScheduler(frames);
        scheduler.sentUpTo(4L * Frames.FRAME);
        Path a = new Path(-1);
        assertEquals(4L * Frames.FRAME, scheduler.claim(a, List.of(a)));
        frames.head = scheduler.claimEnd();
        assertEquals(-1, scheduler.claim(a, List.of(a)), "nothing waits");
    }
}
