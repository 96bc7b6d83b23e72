package io.roamtun.engine.buffer;

import io.roamtun.engine.text.Sizes;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cap on buffer memory (replay segments and queued chunks) of one agent, across all its sessions.
 * Half of it is set aside for minimums: each session is admitted only if its minimum (two replay
 * segments) still fits, so the number of sessions memory allows is known and a session, once in, can
 * always make progress. The other half is shared, first come first served, by sessions that need more
 * than their minimum. A session that cannot grow stops reading its local sockets (backpressure to the
 * apps) and is woken when memory is given back; nothing is dropped.
 *
 * <p>Bytes the peer was already allowed to send (stream windows) and that wait for a slow local socket are
 * counted in the shared half (so new streams are refused while they overfill it) and, apart, against a
 * bound of their own, the limit ({@link #queueFits}). At that bound a session queueing more than its
 * {@link #fairShare()} gets the stream that brings more reset, and one within its share has the sessions
 * above theirs shed their largest queues to make room ({@link #makeRoomForQueue}); when that cannot make
 * room either, its stream is reset too (see {@code Session.mayQueue}). Replay buffers (at most the limit:
 * minimums and shared half) plus queues (at most the limit) stay under twice the limit.
 * Used only from the owning loop's thread; wake-ups run as separate loop tasks, never inside a release.
 */
public final class MemoryBudget {
    private static final Logger log = LoggerFactory.getLogger(MemoryBudget.class);

    private final long limit;
    private final long sessionMinimum;
    /** The size in which sessions grow (a replay segment): waiters are woken only when one fits. */
    private final long growthUnit;
    /** Runs a task later on the owning loop (at the end of its turn), never inside the caller. */
    private final Consumer<Runnable> later;
    private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();
    /** Sessions whose inbound queues count here (identity set: a session is one holder). */
    private final Set<QueueHolder> holders = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private long reserved;
    private long shared;
    /** Memory (whole chunks) all sessions' streams hold for slow local sockets (also counted in {@link #shared}). */
    private long queued;
    private long peakShared;
    private boolean wakeQueued;
    /** The shared half ran out; logged once, and again once it is back under three quarters. */
    private boolean full;
    /** Unrefusable bytes took it beyond its size; likewise logged once per episode. */
    private boolean over;

    /**
     * @param limit           total bytes; at least four session minimums
     * @param sessionMinimum  bytes set aside per admitted session
     * @param growthUnit      bytes a session takes at a time beyond its minimum
     * @param later           runs wake-ups on the owning loop after the current work (end of its turn)
     */
    public MemoryBudget(long limit, long sessionMinimum, long growthUnit, Consumer<Runnable> later) {
        if (limit < 4 * sessionMinimum) {
            throw new IllegalArgumentException("a budget of " + limit + " bytes holds fewer than two sessions of " + sessionMinimum);
        }
        this.limit = limit;
        this.sessionMinimum = sessionMinimum;
        this.growthUnit = growthUnit;
        this.later = later;
    }

    public long limit() {
        return limit;
    }

    public long sessionMinimum() {
        return sessionMinimum;
    }

    /** Sessions the minimums half still has room for. */
    public long sessionsLeft() {
        return (limit / 2 - reserved) / sessionMinimum;
    }

    /** True when one more session's minimum fits; a server refuses the session otherwise. */
    public boolean hasRoomForSession() {
        if (reserved + sessionMinimum > limit / 2) {
            return false;
        }
        return true;
    }

    /**
     * What the budget can ask of a session when another needs room at the limit: how much its inbound queues
     * hold, and to give up its largest one (that stream is reset).
     */
    public interface QueueHolder {
        long queuedBytes();

        void shedLargestQueue(String why);
    }

    /** Sets a new session's minimum aside (checked beforehand with {@link #hasRoomForSession} where it matters). */
    public void sessionStarted() {
        reserved += sessionMinimum;
    }

    /** As {@link #sessionStarted()}, for a session whose queues may be shed for others ({@link #makeRoomForQueue}). */
    public void sessionStarted(QueueHolder holder) {
        sessionStarted();
        holders.add(holder);
    }

    public void sessionEnded() {
        reserved -= sessionMinimum;
        if (reserved < 0) {
            throw new IllegalStateException("more sessions ended than were admitted");
        }
    }

    public void sessionEnded(QueueHolder holder) {
        holders.remove(holder);
        sessionEnded();
    }

    /**
     * At the limit, makes room for {@code bytes} of queued inbound data that {@code asking} (within its fair
     * share) needs, by having the sessions that queue more than their share shed their largest queues, the
     * largest holder first. False when that does not make room: the caller then refuses the bytes.
     */
    public boolean makeRoomForQueue(long bytes, QueueHolder asking) {
        while (!queueFits(bytes)) {
            QueueHolder largest = null;
            for (QueueHolder h : holders) {
                if (h != asking && (largest == null || h.queuedBytes() > largest.queuedBytes())) {
                    largest = h;
                }
            }
            if (largest == null || largest.queuedBytes() <= fairShare()) {
                return false;
            }
            long before = largest.queuedBytes();
            largest.shedLargestQueue("another session needs buffer memory at the --max-buffer-memory limit "
                    + Sizes.format(limit) + " and this one queues " + Sizes.format(before) + ", more than its share "
                    + Sizes.format(fairShare()));
            if (largest.queuedBytes() >= before) {
                return false; // nothing came back: do not loop
            }
        }
        return true;
    }

    /** Takes {@code bytes} from the shared half if they fit; false otherwise (the caller waits: {@link #whenRoom}). */
    public boolean tryTake(long bytes) {
        if (shared + bytes > limit / 2) {
            if (!full) {
                full = true;
                log.warn("buffer memory used up ({} shared in use, {} set aside for {} sessions, budget {}): "
                        + "sessions that need more wait and their local sockets are not read", Sizes.format(shared),
                        Sizes.format(reserved), reserved / sessionMinimum, Sizes.format(limit));
            }
            return false;
        }
        take(bytes);
        return true;
    }

    /**
     * Takes {@code bytes} that cannot be refused: bytes a peer was allowed to send (bounded by its stream
     * windows). These alone can push the shared half over its size; while they do, {@link #overLimit()}
     * says so and new streams are refused.
     */
    public void take(long bytes) {
        shared += bytes;
        peakShared = Math.max(peakShared, shared);
        if (shared > limit / 2 && !over) {
            over = true;
            log.warn("buffer memory over its budget ({} shared in use of {}) with bytes peers were allowed to send: "
                    + "new streams are refused until it drains", Sizes.format(shared), Sizes.format(limit / 2));
        }
    }

    /**
     * True when {@code bytes} more queued for slow local sockets keep all sessions' queues within the limit.
     * Queued bytes have this bound of their own, apart from the replay buffers' (minimums and shared half):
     * a session's queues must not be refused because others' replay buffers grew (that reset a well-behaved
     * client's streams while hoarders held replay memory), and the replay buffers can always wait.
     */
    public boolean queueFits(long bytes) {
        return queued + bytes <= limit;
    }

    /** Sessions report each change of their queues here. */
    public void queuedChanged(long delta) {
        queued += delta;
    }

    /** The limit divided among the sessions admitted: what one session may hold once the whole budget is used. */
    public long fairShare() {
        return limit / Math.max(1, reserved / sessionMinimum);
    }

    /** True while bytes that could not be refused hold more than the shared half: refuse new streams. */
    public boolean overLimit() {
        return shared > limit / 2;
    }

    public void giveBack(long bytes) {
        shared -= bytes;
        if (shared < 0) {
            throw new IllegalStateException("gave back more than was taken");
        }
        if ((full || over) && shared <= limit / 2 / 4 * 3) {
            full = false;
            over = false;
            log.info("buffer memory back under its budget ({} shared in use of {})", Sizes.format(shared), Sizes.format(limit / 2));
        }
        if (!waiters.isEmpty() && !wakeQueued && canGrow()) {
            wakeQueued = true;
            later.accept(this::wakeAll);
        }
    }

    /** Runs {@code waiter} on the loop once memory has been given back (it should retry, and may wait again). */
    public void whenRoom(Runnable waiter) {
        waiters.add(waiter);
    }

    private void wakeAll() {
        wakeQueued = false;
        int n = waiters.size();
        for (int i = 0; i < n && canGrow(); i++) {
            waiters.poll().run();
        }
    }

    /** True when one growth unit fits in the shared half now. */
    public boolean canGrow() {
        return shared + growthUnit <= limit / 2;
    }

    /** True once half of the shared half is in use: streams stop growing their windows. */
    public boolean underPressure() {
        return shared > limit / 4;
    }

    /** Bytes in use now: minimums set aside plus the shared half's use. */
    public long inUse() {
        return reserved + shared;
    }

    public long peakShared() {
        return peakShared;
    }
}
