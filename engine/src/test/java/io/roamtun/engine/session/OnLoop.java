package io.roamtun.engine.session;

import io.roamtun.engine.loop.EventLoop;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Runs test code on a loop thread, where sessions live, and hands back what it returns or throws. */
final class OnLoop {
    private OnLoop() {
    }

    /** Runs {@code task} on the loop thread; what it throws (an assertion too) is thrown here. */
    @SuppressWarnings("unchecked")
    static <T> T on(EventLoop loop, Callable<T> task) throws Exception {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        loop.call(() -> {
            try {
                result[0] = task.call();
            } catch (Throwable t) {
                failure[0] = t;
            }
            return null;
        });
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        return (T) result[0];
    }

    /**
     * Returns once every end-of-turn action queued so far (a link's flush) has run: the loop runs them in
     * order, and this queues its own behind them. A plain {@code on(loop, () -> null)} is no proof of that:
     * the loop runs every queued task in one turn, a task submitted while it runs the previous one too.
     * Actions queued later in that turn (a timer's) may still be running when it returns. Not from the loop
     * thread, which would wait for itself.
     */
    static void afterTurn(EventLoop loop) throws InterruptedException {
        if (loop.inLoop()) {
            throw new IllegalStateException("afterTurn from the loop thread would wait for itself");
        }
        CountDownLatch ended = new CountDownLatch(1);
        loop.execute(() -> loop.atEndOfTurn(ended::countDown)); // queued after whatever this turn owes already
        if (!ended.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the loop did not end its turn within 10 s");
        }
    }
}
