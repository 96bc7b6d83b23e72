package io.roamtun.engine.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.function.LongConsumer;
import java.util.ArrayDeque;

/**
 * Bytes waiting for a slow local socket, in pooled chunks that go back to the pool as they drain, so
 * an idle stream holds no buffer at all. Its size is bounded by the stream's flow-control window,
 * which the peer must respect; this class only counts, here, for its session, and in the agent's
 * {@link MemoryBudget}. Whether bytes may be queued at all is the session's call ({@code Session.mayQueue}).
 */
public final class ByteQueue {
    private final BufferPool pool;
    /** Null: no agent-wide cap. */
    private final MemoryBudget budget;
    /** Chunks in write mode except the head, which {@link #writeTo} flips and drains. */
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>(4);
    private boolean headFlipped;
    private long size;
    /** Told every chunk taken (+) or given back (-), in bytes of memory held; null for none. */
    private final LongConsumer sizeChanged;

    public ByteQueue(BufferPool pool) {
        this(pool, null, null);
    }

    public ByteQueue(BufferPool pool, MemoryBudget budget, LongConsumer sizeChanged) {
        this.pool = pool;
        this.budget = budget;
        this.sizeChanged = sizeChanged;
    }

    private void resized(long delta) {
        size += delta;
    }

    /** Memory held changed by one chunk: what bounds count is memory, and one byte queued holds a chunk. */
    private void held(long delta) {
        if (sizeChanged != null) {
            sizeChanged.accept(delta);
        }
    }

    private void free(ByteBuffer chunk) {
        if (budget != null) {
            budget.giveBack(pool.bufferSize());
        }
        held(-pool.bufferSize());
        pool.release(chunk);
    }

    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Copies all of {@code src} in. */
    public void append(ByteBuffer src) {
        while (src.hasRemaining()) {
            ByteBuffer tail = chunks.peekLast();
            if (tail == null || (chunks.size() == 1 && headFlipped) || !tail.hasRemaining()) {
                tail = pool.acquire();
                if (budget != null) {
                    budget.take(pool.bufferSize());
                }
                held(pool.bufferSize());
                chunks.addLast(tail);
            }
            int n = Math.min(tail.remaining(), src.remaining());
            int limit = src.limit();
            src.limit(src.position() + n);
            tail.put(src);
            src.limit(limit);
            resized(n);
        }
    }

    /** Writes as much as the channel takes; returns the byte count. Drained chunks go back to the pool. */
    public long writeTo(WritableByteChannel channel) throws IOException {
        long total = 0;
        while (size > 0) {
            ByteBuffer head = chunks.peekFirst();
            if (!headFlipped) {
                head.flip();
                headFlipped = true;
            }
            int n = channel.write(head);
            total += n;
            resized(-n);
            if (head.hasRemaining()) {
                break;
            }
            chunks.pollFirst();
            headFlipped = false;
            free(head);
        }
        return total;
    }

    /** Drops everything and returns the chunks to the pool. */
    public void clear() {
        ByteBuffer chunk;
        while ((chunk = chunks.pollFirst()) != null) {
            free(chunk);
        }
        headFlipped = false;
        resized(-size);
    }
}
