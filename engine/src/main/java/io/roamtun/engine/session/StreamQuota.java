package io.roamtun.engine.session;

import java.util.HashMap;
import java.util.Map;

/**
 * How many streams the peers of an agent may have it connect, in all and per client: each costs the agent a
 * file descriptor (its backend socket), and an agent out of descriptors can accept nothing, not even the
 * client that would resume. The total is kept below the process's descriptor limit, with room left for
 * links and handshakes. Loop thread only.
 */
public final class StreamQuota {
    private final int total;
    private final int perClient;
    private final Map<String, Integer> byClient = new HashMap<>();
    private int inUse;
    /** The agent drains (SIGTERM): no new stream at all, whatever the counts. */
    private boolean draining;

    public StreamQuota(int total, int perClient) {
        if (total < 1 || perClient < 1) {
            throw new IllegalArgumentException("stream quota must be positive: " + total + ", " + perClient);
        }
        this.total = total;
        this.perClient = perClient;
    }

    /**
     * The total for a process allowed {@code descriptors} open files: what is left after {@code reserved}
     * (links, handshakes under way, the JVM's own files), and at least 16.
     */
    public static int totalFor(long descriptors, int reserved) {
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, descriptors - reserved));
    }

    public int total() {
        return total;
    }

    public int perClient() {
        return perClient;
    }

    /** Why {@code client} may not have one more stream, or null when it may (then it is counted). */
    String take(String client) {
        if (inUse >= total) {
            return "the server's stream limit " + total + " is reached (below its file descriptor limit)";
        }
        int own = byClient.getOrDefault(client, 0);
        if (own >= perClient) {
            return "client stream limit " + perClient + " reached";
        }
        byClient.put(client, own + 1);
        inUse++;
        return null;
    }

    /** A stream {@link #take} counted for {@code client} is over. */
    void release(String client) {
        Integer own = byClient.get(client);
        if (own == null) {
            return;
        }
        if (own <= 1) {
            byClient.remove(client);
        } else {
            byClient.put(client, own - 1);
        }
        inUse--;
    }

    /** From now on every new stream is refused with SHUTTING_DOWN; those counted may finish. */
    public void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /** Streams counted now, for status and tests. */
    public int inUse() {
        return inUse;
    }
}
