package io.roamtun.engine.session;

import io.roamtun.protocol.Wire;
import java.util.List;

/**
 * MULTIPATH aggregate: which link sends the session's next frames. In the spirit of MPTCP's default
 * scheduler: the frames not yet sent go, a range of whole frames at a time, to the link with the lowest
 * round trip among those whose socket has room; a link whose socket is full takes nothing, so each link
 * gets frames as fast as it delivers them. No range ends more than {@link Wire#REORDER_WINDOW} past the
 * peer's last ACK, so the peer never holds more out of order than it may. When a link is lost, what it had
 * been given may be lost with it: {@link #rewind} hands everything unacknowledged out again.
 */
final class AggregateScheduler {
    /** The most one link is given at a time. */
    static final int CLAIM_BYTES = 256 * 1024;
    private static final int MAX_FRAMES_PER_CLAIM = 512;

    /** A link as the scheduler sees it. */
    interface Path {
        /** Smoothed round trip in nanoseconds; -1 when not measured yet (ranked with the fastest). */
        long rttNanos();

        /** Its socket took everything it was last given. */
        boolean hasRoom();
    }

    /** The session's frames as the scheduler sees them. */
    interface Frames {
        long head();

        long highestAck();

        int frameBytesAt(long offset);
    }

    private final Frames frames;
    /** Frames before this have been given to a link (or acknowledged). */
    private long scheduled;
    /** Counts rewinds: a range given before the last one is void. */
    private long generation;
    private long claimEnd;

    AggregateScheduler(Frames frames) {
        this.frames = frames;
    }

    long generation() { return generation; }

    long scheduled() { return scheduled; }

    /** Everything before {@code offset} went out by some link already (a link's position when it starts sharing). */
    void sentUpTo(long offset) {
        scheduled = Math.max(scheduled, offset);
    }

    /** A link was lost: everything unacknowledged is handed out again, and ranges given before are void. */
    void rewind() {
        generation++;
        scheduled = frames.highestAck();
    }

    /**
     * The start of the next range of frames for {@code who}, one of {@code paths}, or -1 when it gets none now
     * (nothing is waiting, the window is full, or a link with a lower round trip has room); the range ends at
     * {@link #claimEnd()}.
     */
    long claim(Path who, List<? extends Path> paths) {
        long start = Math.max(scheduled, frames.highestAck());
        long head = frames.head();
        if (start >= head || !firstInLine(who, paths)) {
            return -1;
        }
        long windowEnd = frames.highestAck() + Wire.REORDER_WINDOW;
        long end = start;
        for (int i = 0; i < MAX_FRAMES_PER_CLAIM && end < head; i++) {
            long next = end + frames.frameBytesAt(end);
            if (next > windowEnd || (end > start && next - start > CLAIM_BYTES)) {
                break;
            }
            end = next;
        }
        if (end == start) {
            return -1; // the next frame would end past the window: the peer must acknowledge first
        }
        scheduled = end;
        claimEnd = end;
        return start;
    }

    /** End of the range the last {@link #claim} gave. */
    long claimEnd() { return claimEnd; }

    /** No other link with room has a lower round trip than {@code who}. */
    private static boolean firstInLine(Path who, List<? extends Path> paths) {
        long rtt = who.rttNanos();
        for (Path other : paths) {
            if (other != who && other.hasRoom() && rtt > 0 && other.rttNanos() >= 0 && other.rttNanos() < rtt) {
                return false;
            }
        }
        return true;
    }
}
