package io.roamtun.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
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
 * uplink asks (an attempt failed: the address may have changed). Each answer goes to the loop through
 * {@code deliver}. A client started before the network is up waits for the name instead of exiting, and a
 * server that moved to another address is followed. A name with several addresses (a dual-stack or
 * load-balanced server) is tried one address at a time: each failed attempt moves on to the next, so one
 * dead address does not keep the client from the others. Not used for an IP literal.
 */
final class ServerNameResolver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerNameResolver.class);
    static final long REFRESH_SECONDS = 60;
    /** Asked-for lookups closer together than this are merged (a flapping network fails attempts fast). */
    private static final long MIN_GAP_MILLIS = 1000;

    /** Looks a name up: all its addresses, in the resolver's order. */
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    private final String host;
    private final int port;
    private final Lookup lookup;
    private final Consumer<InetSocketAddress> deliver;
    private final Executor loop;
    private final ScheduledExecutorService thread;
    private long lastLookupMillis;
    private boolean failing;
    /** The name's addresses as last looked up, and the one in use. */
    private InetAddress[] addresses = new InetAddress[0];
    private int current;
    /** The address in use failed: move on to the next with the next answer. */
    private boolean advance;

    /**
     * @param deliver  takes each resolved address on the loop thread
     * @param loop     runs a task on the event loop
     */
    ServerNameResolver(String host, int port, Executor loop, Consumer<InetSocketAddress> deliver) {
        this(host, port, loop, deliver, InetAddress::getAllByName);
    }

    ServerNameResolver(String host, int port, Executor loop, Consumer<InetSocketAddress> deliver, Lookup lookup) {
        this.lookup = lookup;
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

    void start() {
        thread.scheduleWithFixedDelay(this::lookUp, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    /** Asks for a lookup now, from any thread; lookups asked within a second of the last are merged. */
    void refresh() {
        try {
            thread.execute(this::lookUpUnlessRecent);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the client-service is shutting down
        }
    }

    /** An attempt to the address in use failed: look the name up again and move on to its next address. */
    void failed() {
        try {
            thread.execute(() -> {
                synchronized (this) {
                    advance = true;
                }
                lookUpUnlessRecent();
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the client-service is shutting down
        }
    }

    private synchronized void lookUpUnlessRecent() {
        if (System.currentTimeMillis() - lastLookupMillis >= MIN_GAP_MILLIS) {
            lookUp();
        } else if (advance && addresses.length > 1) {
            handOver(moveOn()); // looked up a moment ago: the next address of that answer
        }
    }

    private synchronized void lookUp() {
        lastLookupMillis = System.currentTimeMillis();
        InetAddress[] all;
        try {
            all = lookup.all(host); // each keeps the name, for TLS
            if (all.length == 0) {
                throw new UnknownHostException(host);
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
        // Stay on the address in use while the name still has it (answers may come in another order).
        int at = addresses.length > 0 ? java.util.Arrays.asList(all).indexOf(addresses[current]) : -1;
        addresses = all;
        current = Math.max(at, 0);
        if (advance && at >= 0 && addresses.length > 1) {
            handOver(moveOn());
        } else {
            advance = false;
            handOver(new InetSocketAddress(addresses[current], port));
        }
    }

    private InetSocketAddress moveOn() {
        advance = false;
        current = (current + 1) % addresses.length;
        log.info("the server-service's name {} has {} addresses; trying {} next", host, addresses.length,
                addresses[current].getHostAddress());
        return new InetSocketAddress(addresses[current], port);
    }

    private void handOver(InetSocketAddress address) {
        try {
            loop.execute(() -> deliver.accept(address));
        } catch (RuntimeException stopped) {
            // the loop is shutting down
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
