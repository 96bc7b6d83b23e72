package io.roamtun.engine.loop;

/** A task due at a monotonic deadline on one event loop. Cancel is O(1); the queue drops it lazily. */
public final class Timer implements Comparable<Timer> {
    final long deadlineNanos;
    /** Null once cancelled: a cancelled timer waits in the queue until its deadline and must not keep its
     *  owner (a closed link with its TLS engine, say) reachable that long. */
    Runnable task;
    final long order;
    boolean cancelled;
    boolean fired;

    Timer(long deadlineNanos, Runnable task, long order) {
        this.deadlineNanos = deadlineNanos;
        this.task = task;
        this.order = order;
    }

    /** Cancels the timer; harmless when it already fired or was cancelled. Loop thread only. */
    public void cancel() {
        cancelled = true;
        task = null;
    }

    /** When it is due, on the {@link System#nanoTime()} clock. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    public boolean isPending() {
        return !cancelled && !fired;
    }

    @Override
    public int compareTo(Timer other) {
        int byDeadline = Long.compare(deadlineNanos, other.deadlineNanos);
        return byDeadline != 0 ? byDeadline : Long.compare(order, other.order);
    }
}
