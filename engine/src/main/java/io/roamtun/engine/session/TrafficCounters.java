package io.roamtun.engine.session;

/**
 * The DATA bytes a session carried each way and the streams it had: plain fields bumped on the loop
 * thread (no lock, no allocation per frame), read through the loop for status and metrics.
 */
public final class TrafficCounters {
    private long bytesOut;
    private long bytesIn;
    private long streams;

    void sent(int bytes) {
        bytesOut += bytes;
    }

    void received(int bytes) {
        bytesIn += bytes;
    }

    void streamStarted() {
        streams++;
    }

    /** Adds another session's counts (a session that ended, into an agent's totals). */
    public void add(TrafficCounters other) {
        bytesOut += other.bytesOut;
        bytesIn += other.bytesIn;
        streams += other.streams;
    }

    /** DATA bytes this side sent to the peer (read from its local sockets). */
    public long bytesOut() {
        return bytesOut;
    }

    /** DATA bytes the peer sent (for this side's local sockets). */
    public long bytesIn() {
        return bytesIn;
    }

    /** Streams opened either way. */
    public long streams() {
        return streams;
    }
}
