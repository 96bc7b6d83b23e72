package io.roamtun.engine.loop;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * What a listening socket does when accept fails (out of file descriptors, EMFILE / ENFILE, most likely):
 * the pending connection stays in the kernel's queue, so the key stays ready and a loop that just retried
 * would spin, a log line per turn. Instead accepting pauses (OP_ACCEPT off) and comes back after 10 ms,
 * doubling to 1 s while it keeps failing; failures are logged at the 1st, 2nd, 4th, 8th... time.
 */
public final class AcceptBackoff {
    static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventLoop loop;
    private final Logger log;
    private final String what;
    private long pauseNanos = FIRST_PAUSE_NANOS;
    private long failures;

    /** @param what the listener, for the log ("forward 8080=web", "listener 0.0.0.0:7000") */
    public AcceptBackoff(EventLoop loop, Logger log, String what) {
        this.loop = loop;
        this.log = log;
        this.what = what;
    }

    /** accept() on {@code key}'s channel threw {@code e}: stop accepting for a while. */
    public void failed(SelectionKey key, IOException e) {
        failures++;
        if (Long.bitCount(failures) == 1) {
            log.warn("{}: accept failed ({} times so far): {}; accepting again in {} ms", what, failures, e.getMessage(),
                    TimeUnit.NANOSECONDS.toMillis(pauseNanos));
        }
        if (!key.isValid()) {
            return;
        }
        key.interestOps(key.interestOps() & ~SelectionKey.OP_ACCEPT);
        loop.schedule(pauseNanos, () -> {
            if (key.isValid()) {
                key.interestOps(key.interestOps() | SelectionKey.OP_ACCEPT);
            }
        });
        pauseNanos = Math.min(MAX_PAUSE_NANOS, pauseNanos * 2);
    }

    /** A connection was accepted: the next failure starts from the short pause again. */
    public void accepted() {
        pauseNanos = FIRST_PAUSE_NANOS;
    }

    /** Failed accepts since start (for tests and status). */
    public long failures() {
        return failures;
    }
}
