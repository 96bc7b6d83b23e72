package io.roamtun.engine.loop;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits, on the loop, until an agent's open streams have finished or the drain timeout passed, looking
 * every {@link #CHECK_NANOS}; one log line when it starts and one when it ends, saying which.
 */
public final class Drain {
    private static final Logger log = LoggerFactory.getLogger(Drain.class);
    static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final EventLoop loop;
    private final IntSupplier openStreams;
    private final Runnable drained;
    private final long startNanos = System.nanoTime();
    private final long deadlineNanos;
    private final Duration timeout;

    private Drain(EventLoop loop, Duration timeout, IntSupplier openStreams, Runnable drained) {
        this.loop = loop;
        this.timeout = timeout;
        this.openStreams = openStreams;
        this.drained = drained;
        this.deadlineNanos = startNanos + timeout.toNanos();
    }

    /** Starts waiting (loop thread): {@code drained} runs once {@code openStreams} says 0 or the timeout passed. */
    public static void start(EventLoop loop, Duration timeout, IntSupplier openStreams, Runnable drained) {
        Drain drain = new Drain(loop, timeout, openStreams, drained);
        int open = openStreams.getAsInt();
        log.info("draining: no new sessions or streams; {} streams open, waiting up to {} ms for them to finish",
                open, timeout.toMillis());
        drain.check();
    }

    private void check() {
        int open = openStreams.getAsInt();
        long now = System.nanoTime();
        if (open == 0) {
            log.info("drained: every stream finished, after {} ms", TimeUnit.NANOSECONDS.toMillis(now - startNanos));
            drained.run();
        } else if (now - deadlineNanos >= 0) {
            log.warn("drain timeout ({} ms) passed with {} streams open: they are reset", timeout.toMillis(), open);
            drained.run();
        } else {
            loop.schedule(Math.min(CHECK_NANOS, deadlineNanos - now), this::check);
        }
    }
}
