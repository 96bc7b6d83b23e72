package io.roamtun.engine.buffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers of one size, recycled. Owned by one event loop, so not thread-safe. At most
 * {@code maxIdle} free buffers are kept; the rest go back to the garbage collector. How many are
 * lent out at once is bounded by the callers' own caps (replay buffer size, stream windows).
 */
public final class BufferPool {
    private final int bufferSize;
    private final int maxIdle;
    private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();
    private long lent;

    public BufferPool(int bufferSize, int maxIdle) {
        this.bufferSize = bufferSize;
        this.maxIdle = maxIdle;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** A cleared buffer of {@link #bufferSize()} bytes. */
    public ByteBuffer acquire() {
        ByteBuffer buf = idle.pollLast();
        lent++;
        return buf != null ? buf : ByteBuffer.allocateDirect(bufferSize);
    }

    public void release(ByteBuffer buf) {
        if (buf.capacity() != bufferSize) {
            throw new IllegalArgumentException("buffer of " + buf.capacity() + " bytes is not from this pool");
        }
        lent--;
        if (idle.size() < maxIdle) {
            buf.clear();
            idle.addLast(buf);
        }
    }

    /** Buffers handed out and not yet released: a leak check for tests. */
    public long lent() {
        return lent;
    }

    public int idle() {
        return idle.size();
    }
}
