package io.roamtun.client;

import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceSource;
import io.roamtun.engine.loop.EventLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the interface table every poll interval on its own thread (the OS call may block for a moment;
 * the event loop must not) and hands each reading to the loop. Keeps the cost of a poll for status.
 */
final class InterfacePoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InterfacePoller.class);

    private final InterfaceSource source;
    private final Duration interval;
    private final EventLoop loop;
    private final Consumer<List<InterfaceSnapshot>> sink;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "interface-poller");
        t.setDaemon(true);
        return t;
    });
    private volatile long lastPollNanos;
    private volatile long maxPollNanos;
    private volatile long polls;
    private volatile String lastError;

    InterfacePoller(InterfaceSource source, Duration interval, EventLoop loop, Consumer<List<InterfaceSnapshot>> sink) {
        this.source = source;
        this.interval = interval;
        this.loop = loop;
        this.sink = sink;
    }

    List<InterfaceSnapshot> readNow() throws IOException {
        long start = System.nanoTime();
        List<InterfaceSnapshot> poll = source.read();
        record(System.nanoTime() - start);
        return poll;
    }

    void start() {
        thread.scheduleAtFixedRate(this::poll, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS); // (a change waits one interval at most)
    }

    private void poll() {
        try {
            List<InterfaceSnapshot> poll = readNow();
            lastError = null;
            loop.execute(() -> sink.accept(poll));
        } catch (IOException | RuntimeException e) {
            if (!(e instanceof RejectedExecutionException)) {
                String message = String.valueOf(e.getMessage());
                if (!message.equals(lastError)) {
                    log.warn("cannot read the interface table: {}", message);
                }
                lastError = message;
            }
        }
    }

    private void record(long nanos) {
        lastPollNanos = nanos;
        maxPollNanos = Math.max(maxPollNanos, nanos);
        polls++;
    }

    String describe() {
        return "every " + interval.toMillis() + " ms, " + polls + " polls, last took "
                + TimeUnit.NANOSECONDS.toMicros(lastPollNanos) + " µs (max " + TimeUnit.NANOSECONDS.toMicros(maxPollNanos) + " µs)";
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
