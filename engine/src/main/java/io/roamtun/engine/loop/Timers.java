package io.roamtun.engine.loop;

import java.util.PriorityQueue;

/**
 * The timers of one event loop. Cancelled timers stay queued until their deadline or until they are the
 * majority, when the queue is rebuilt: cancelling (connect timeouts, ack delays) is far more common
 * than firing, and must stay O(1).
 */
final class Timers {
    private static final int PURGE_THRESHOLD = 4096;

    private PriorityQueue<Timer> queue = new PriorityQueue<>();
    private long sequence;

    Timer schedule(long deadlineNanos, Runnable task) {
        Timer timer = new Timer(deadlineNanos, task, sequence++);
        queue.add(timer);
        if (queue.size() > PURGE_THRESHOLD && queue.size() % PURGE_THRESHOLD == 0) {
            purgeCancelled();
        }
        return timer;
    }

    /** Milliseconds until the next live deadline: 0 when one is due, -1 when there is none. */
    long millisUntilNext(long nowNanos) {
        Timer head;
        while ((head = queue.peek()) != null && head.cancelled) {
            queue.poll();
        }
        if (head == null) {
            return -1;
        }
        long nanos = head.deadlineNanos - nowNanos;
        return nanos <= 0 ? 0 : Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    /** Runs every timer due by {@code nowNanos}; a failing task is reported and does not stop the others. */
    void runDue(long nowNanos, java.util.function.Consumer<Throwable> onBug) {
        Timer head;
        while ((head = queue.peek()) != null && head.deadlineNanos <= nowNanos) {
            queue.poll();
            if (head.cancelled) {
                continue;
            }
            head.fired = true;
            try {
                head.task.run();
            } catch (RuntimeException | Error bug) {
                onBug.accept(bug);
            }
        }
    }

    int size() {
        return queue.size();
    }

    private void purgeCancelled() {
        int live = 0;
        for (Timer t : queue) {
            if (!t.cancelled) {
                live++;
            }
        }
        if (live * 2 < queue.size()) {
            PriorityQueue<Timer> kept = new PriorityQueue<>(Math.max(16, live * 2));
            for (Timer t : queue) {
                if (!t.cancelled) {
                    kept.add(t);
                }
            }
            queue = kept;
        }
    }
}
