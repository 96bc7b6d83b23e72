package io.roamtun.engine.loop;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * How an agent's main thread lives. SIGTERM (and Ctrl-C's SIGINT), or a drain asked for on the admin
 * socket, drains it: no new sessions or streams, the open ones finish up to the drain timeout, then what is
 * left is reset, the service closes and the JVM exits 0. Asking again during the drain stops at once.
 * SIGHUP reloads the configuration. Any other way the JVM ends still closes the service (a shutdown hook).
 */
public final class ShutdownWait {
    private static final Logger log = LoggerFactory.getLogger(ShutdownWait.class);

    private final Drainable service;
    private final Duration drainTimeout;
    private final Runnable reload;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicInteger stopRequests = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** {@code reload} runs at every SIGHUP, on the signal's thread. */
    public ShutdownWait(Drainable service, Duration drainTimeout, Runnable reload) {
        this.service = service;
        this.drainTimeout = drainTimeout;
        this.reload = reload;
    }

    /** The usual life: {@code new ShutdownWait(...).run()}. */
    public static void runUntilShutdown(Drainable service, Duration drainTimeout, Runnable reload) {
        new ShutdownWait(service, drainTimeout, reload).run();
    }

    /**
     * The first call starts the drain, any later one stops at once; {@code asker} says who asked (for the
     * log). Any thread. Returns what it did, for an admin command's reply.
     */
    public String drainOrStop(String asker) {
        if (stopRequests.getAndIncrement() == 0) {
            log.info("{}: draining for up to {} ms (ask again to stop at once)", asker, drainTimeout.toMillis());
            try {
                service.drain(drainTimeout, stop::countDown);
            } catch (RuntimeException e) { // the loop is gone already: nothing to drain, stop
                log.warn("cannot drain ({}): stopping now", e.toString());
                stop.countDown();
                return "stopping now";
            }
            return "draining: no new sessions or streams; open streams have up to " + drainTimeout.toMillis()
                    + " ms to finish, then the agent exits";
        }
        log.info("{} again: stopping now", asker);
        stop.countDown();
        return "stopping now";
    }

    /** Installs the signal handlers and waits until asked to stop; then closes the service and exits 0. */
    public void run() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "shutdown"));
        for (String name : new String[] {"TERM", "INT"}) {
            handle(name, signal -> drainOrStop("SIG" + signal.getName()));
        }
        handle("HUP", signal -> reload("SIGHUP"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
        System.exit(0);
    }

    /** Reloads the configuration ({@code asker} for the log); one at a time, in the order asked. Any thread. */
    public synchronized void reload(String asker) {
        log.info("{}: reloading the configuration", asker);
        reload.run();
    }

    /** Installs a handler; a platform without the signal (Windows has no SIGHUP) gets a log line instead. */
    private static void handle(String name, sun.misc.SignalHandler handler) {
        try {
            Signal.handle(new Signal(name), handler);
        } catch (IllegalArgumentException absent) {
            log.info("no SIG{} here ({}): {}", name, absent.getMessage(),
                    name.equals("HUP") ? "reload through the admin socket instead" : "stopping closes the agent at once");
        }
    }

    private void close() {
        if (closed.compareAndSet(false, true)) {
            service.close();
        }
    }
}
