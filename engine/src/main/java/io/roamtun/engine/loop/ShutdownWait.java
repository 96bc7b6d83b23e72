package io.roamtun.engine.loop;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * How an agent's main thread lives. SIGTERM (and Ctrl-C's SIGINT) drains it: no new sessions or streams,
 * the open ones finish up to the drain timeout, then what is left is reset, the service closes and the JVM
 * exits 0. A second signal during the drain stops at once. SIGHUP reloads the configuration. Any other way
 * the JVM ends still closes the service (a shutdown hook).
 */
public final class ShutdownWait {
    private static final Logger log = LoggerFactory.getLogger(ShutdownWait.class);

    private ShutdownWait() {}

    /**
     * Keeps the JVM up until it is asked to stop, drains {@code service} for up to {@code drainTimeout},
     * closes it and exits 0; runs {@code reload} at every SIGHUP (on the signal's thread).
     */
    public static void runUntilShutdown(Drainable service, Duration drainTimeout, Runnable reload) {
        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                service.close();
            }
        };
        AtomicInteger signals = new AtomicInteger();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (signals.getAndIncrement() == 0) {
                    log.info("SIG{}: draining for up to {} ms (send it again to stop at once)", signal.getName(), drainTimeout.toMillis());
                    service.drain(drainTimeout, stop::countDown);
                } else {
                    log.info("SIG{} again: stopping now", signal.getName());
                    stop.countDown();
                }
            });
        }
        Signal.handle(new Signal("HUP"), signal -> {
            log.info("SIGHUP: reloading the configuration");
            reload.run();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(close, "shutdown"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close.run();
        System.exit(0);
    }
}
