package io.roamtun.engine;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.loop.EventLoop;
import java.io.IOException;

/** The loop an agent runs on and the buffer pools that belong to it (used only from that loop's thread). */
public final class EngineContext implements AutoCloseable {
    /** Replay buffer segments: each holds several largest frames. */
    public static final int SEGMENT_BYTES = 256 * 1024;
    /** Chunks of bytes queued for slow local sockets. */
    public static final int CHUNK_BYTES = 16 * 1024;

    private final EventLoop loop;
    private final BufferPool segments = new BufferPool(SEGMENT_BYTES, 64);
    private final BufferPool chunks = new BufferPool(CHUNK_BYTES, 256);

    public EngineContext(String loopName) throws IOException {
        this.loop = new EventLoop(loopName);
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
