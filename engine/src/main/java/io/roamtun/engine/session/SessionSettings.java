package io.roamtun.engine.session;

import java.time.Duration;

/**
 * Limits and sizes of one session.
 *
 * @param replayBufferBytes  cap of the replay buffer (sequenced frames sent and not yet acknowledged)
 * @param streamWindow       bytes this side buffers per stream before the peer must wait for credit
 * @param maxStreams         streams open at once; more OPENs are refused with STREAM_LIMIT
 * @param connectTimeout     how long the acceptor waits for a local connect before OPEN_FAIL
 * @param bufferMemory       the agent's cap on buffer memory across all its sessions
 *                           ({@link io.roamtun.engine.buffer.MemoryBudget})
 */
public record SessionSettings(long replayBufferBytes, int streamWindow, int maxStreams, Duration connectTimeout, long bufferMemory) {
    public static final long DEFAULT_REPLAY_BUFFER = 8L << 20;
    public static final int DEFAULT_STREAM_WINDOW = 512 << 10;
    public static final int DEFAULT_MAX_STREAMS = 65_536;
    public static final long DEFAULT_BUFFER_MEMORY = 256L << 20;

    public SessionSettings {
        if (streamWindow < 16 << 10) {
            throw new IllegalArgumentException("stream window must be at least 16 KiB, not " + streamWindow);
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("max streams must be positive");
        }
    }

    public static SessionSettings defaults() {
        return new SessionSettings(DEFAULT_REPLAY_BUFFER, DEFAULT_STREAM_WINDOW, DEFAULT_MAX_STREAMS, Duration.ofSeconds(10),
                DEFAULT_BUFFER_MEMORY);
    }
}
