package io.roamtun.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the server-service's name off the event loop (a lookup can block for seconds when the network
 * is gone, which is when a roaming client most needs its loop): at start, every minute, and whenever the
 * uplink asks (an attempt failed: the address may have changed). Each answer, all of the name's addresses,
 * goes to the loop through {@code deliver}. A client started before the network is up waits for the name instead of exiting, and a
 * server that moved to another address is followed. Not used for an IP literal.
 */
final class ServerNameResolver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerNameResolver.class);
    static final long REFRESH_SECONDS = 60;
    /** Asked-for lookups closer together than this are merged (a flapping network fails attempts fast). */
    private static final long MIN_GAP_MILLIS = 1000;

    private final String host;
    private final int port;
    private final Consumer<List<InetSocketAddress>> deliver;
    private final Executor loop;
    private final ScheduledExecutorService thread;
    private long lastLookupMillis;
    private boolean failing;

    /**
     * @param deliver  takes each answer (the name's addresses, in the resolver's order) on the loop thread
     * @param loop     runs a task on the event loop
     */
    ServerNameResolver(String host, int port, Executor loop, Consumer<List<InetSocketAddress>> deliver) {
        this.host = host;
        this.port = port;
        this.loop = loop;
        this.deliver = deliver;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "server-name");
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = executor;
    }

    /** Looks up now (start-up resolved one address only: the others come from here), then every minute. */
    void start() {
        thread.scheduleWithFixedDelay(this::lookUp, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    /** Asks for a lookup now, from any thread; lookups asked within a second of the last are merged. */
    void refresh() {
        try {
            thread.execute(this::lookUpUnlessRecent);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the client-service is shutting down
        }
    }

    private synchronized void lookUpUnlessRecent() {
        if (System.currentTimeMillis() - lastLookupMillis >= MIN_GAP_MILLIS) {
            lookUp();
        }
    }

    private synchronized void lookUp() {
        lastLookupMillis = System.currentTimeMillis();
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                addresses.add(new InetSocketAddress(address, port)); // each keeps the name, for TLS
            }
        } catch (UnknownHostException e) {
            if (!failing) {
                failing = true;
                log.warn("cannot resolve the server-service's name {} (no network, or no such name); trying again", host);
            }
            return;
        }
        if (failing) {
            failing = false;
            log.info("the server-service's name {} resolves again", host);
        }
        try {
            loop.execute(() -> deliver.accept(addresses));
        } catch (RuntimeException stopped) {
            // the loop is shutting down
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
