package io.roamtun.engine.session;

import io.roamtun.engine.loop.EventLoop;
import java.util.concurrent.Callable;

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
}
