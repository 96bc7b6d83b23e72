package io.roamtun.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/** One way from the load generator to the backend: direct, or through a relay or tunnel. */
interface BenchPath extends AutoCloseable {

    String name();

    /** Why this path cannot run here (a program not installed), or null when it can. */
    String unavailableReason();

    /** Starts whatever the path needs; returns the address the load generator connects to. */
    InetSocketAddress start(InetSocketAddress backend) throws IOException, InterruptedException;

    /** Where the UDP echo is: a path that carries UDP sets itself up for it at {@link #start}. Called before it. */
    default void udpBackend(InetSocketAddress echo) {}

    /** The address the datagram figures use once started, or null when this path carries no UDP. */
    default InetSocketAddress udpAddress() {
        return null;
    }

    /** The processes whose memory counts for this path (the relays or agents), empty for direct. */
    List<Long> pids();

    /** True when the CPU time {@link #pids()} and their children spend can be read from /proc. */
    default boolean cpuMeasurable() {
        return true;
    }

    /** True when {@link #pids()} are JVMs whose heap can be read. */
    default boolean javaHeap() {
        return false;
    }

    @Override
    void close();
}
