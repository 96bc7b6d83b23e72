package io.roamtun.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * The one way tests wait: for a condition, with a deadline, never a fixed sleep before an assert. Polls
 * every few milliseconds (a little less often as the wait grows) and fails with what was awaited and
 * what was last seen. Shared by every module's tests through the protocol module's test jar.
 */
public final class Await {
    private static final long FIRST_POLL_MILLIS = 2;
    private static final long MAX_POLL_MILLIS = 50;

    private Await() {}

    /** A condition that may need a call that throws (a task run on an event loop, a socket read). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits until {@code condition} holds; fails after {@code timeout}, naming {@code what}. */
    public static void until(Duration timeout, String what, Condition condition) throws Exception {
        value(timeout, what, () -> condition.holds(), Boolean::booleanValue);
    }

    /** Waits until {@code probe} returns a value {@code ok} accepts, and returns that value. */
    public static <T> T value(Duration timeout, String what, Callable<T> probe, Predicate<? super T> ok) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_POLL_MILLIS;
        T last = null;
        while (true) {
            last = probe.call();
            if (ok.test(last)) {
                return last;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + " (last seen: " + last + ")");
            }
            Thread.sleep(pause);
            pause = Math.min(MAX_POLL_MILLIS, pause * 2);
        }
    }

    /** Waits until {@code condition} holds; fails after {@code timeout} with {@code failure}'s text, made then (a status, say). */
    public static void until(Duration timeout, Condition condition, Callable<String> failure) throws Exception {
        try {
            until(timeout, "a condition", condition);
        } catch (AssertionError e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("timed out after")) {
                throw e; // the condition itself failed (a process that exited, say): its own words, not a timeout
            }
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms: " + failure.call());
        }
    }

    /**
     * Drives non-blocking work until it is done: runs {@code step} (which does a bit of the work, such as
     * pumping two in-memory transports, and says whether all of it is done) again and again without a pause,
     * as the work itself waits on nothing; fails after {@code timeout}.
     */
    public static void driving(Duration timeout, String what, Condition step) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!step.holds()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms driving " + what);
            }
            Thread.onSpinWait();
        }
    }

    /** Waits {@code seconds} at most until {@code condition} holds. */
    public static void until(long seconds, String what, Condition condition) throws Exception {
        until(Duration.ofSeconds(seconds), what, condition);
    }
}
