package io.roamtun.engine;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.engine.loop.EventLoop;
import java.io.IOException;

/**
 * The loop an agent runs on, the buffer pools that belong to it and the cap on what its sessions may
 * hold of them (used only from that loop's thread).
 */
public final class EngineContext implements AutoCloseable {
    /** Replay buffer segments: each holds several largest frames. */
    public static final int SEGMENT_BYTES = 256 * 1024;
    /** Chunks of bytes queued for slow local sockets. */
    public static final int CHUNK_BYTES = 16 * 1024;

    private final EventLoop loop;
    private final BufferPool segments = new BufferPool(SEGMENT_BYTES, 64);
    private final BufferPool chunks = new BufferPool(CHUNK_BYTES, 256);
    private final MemoryBudget budget;

    public EngineContext(String loopName, long bufferMemory) throws IOException {
        this.loop = new EventLoop(loopName);
        this.budget = new MemoryBudget(bufferMemory, (long) ReplayBuffer.MINIMUM_SEGMENTS * SEGMENT_BYTES, SEGMENT_BYTES,
                loop::atEndOfTurn);
    }

    /** How many files this process may have open (RLIMIT_NOFILE), or Long.MAX_VALUE when the JVM cannot tell. */
    public static long openFileLimit() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            return max > 0 ? max : Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    public MemoryBudget budget() {
        return budget;
    }

    public EventLoop loop() {
        return loop;
    }

    public BufferPool segments() {
        return segments;
    }

    public BufferPool chunks() {
        return chunks;
    }

    @Override
    public void close() {
        loop.close();
    }
}
