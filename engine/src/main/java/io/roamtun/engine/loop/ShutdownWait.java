package io.roamtun.engine.loop;

import java.util.concurrent.CountDownLatch;

/** How an agent's main thread lives: until the JVM is asked to stop (SIGTERM, Ctrl-C), then it closes the service. */
public final class ShutdownWait {
    private ShutdownWait() {}

    /** Keeps the JVM up until it is asked to stop, then closes {@code service}. */
    public static void runUntilShutdown(AutoCloseable service) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
