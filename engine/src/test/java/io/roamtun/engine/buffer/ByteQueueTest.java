package io.roamtun.engine.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteQueueTest {

    /** A channel that takes at most {@code chunk} bytes per write, like a slow socket. */
    private static final class Trickle implements WritableByteChannel {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        int chunk;

        Trickle(int chunk) {
            this.chunk = chunk;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(chunk, src.remaining());
            for (int i = 0; i < n; i++) {
                got.write(src.get());
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    @Test
    void bytesComeOutInOrderAtEveryWriteSizeAndChunksGoBack() throws Exception {
        for (int chunk : new int[] {1, 7, 1000, 16_384, 100_000}) {
            BufferPool pool = new BufferPool(4096, 2);
            ByteQueue queue = new ByteQueue(pool);
            Trickle channel = new Trickle(chunk);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            Random random = new Random(chunk);
            for (int round = 0; round < 50; round++) {
                byte[] piece = new byte[random.nextInt(10_000)];
                random.nextBytes(piece);
                expected.write(piece);
                queue.append(ByteBuffer.wrap(piece));
                if (random.nextBoolean()) {
                    queue.writeTo(channel);
                }
            }
            while (!queue.isEmpty()) {
                queue.writeTo(channel);
            }
            assertArrayEquals(expected.toByteArray(), channel.got.toByteArray(), "chunk " + chunk);
            assertEquals(0, pool.lent(), "every chunk back in the pool");
        }
    }

    /**
     * What a queue reports to its session is memory held, in whole chunks: one byte queued holds a chunk,
     * and a bound counting bytes let a thousand one-byte queues hold sixteen times the memory it allowed.
     */
    @Test
    void aQueueReportsTheMemoryItHoldsInWholeChunks() throws Exception {
        BufferPool pool = new BufferPool(1024, 2);
        long[] held = new long[1];
        ByteQueue queue = new ByteQueue(pool, null, delta -> held[0] += delta);
        queue.append(ByteBuffer.wrap(new byte[1]));
        assertEquals(1024, held[0], "one byte holds a chunk");
        queue.append(ByteBuffer.wrap(new byte[1500]));
        assertEquals(2048, held[0]);
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        queue.writeTo(java.nio.channels.Channels.newChannel(sink));
        assertEquals(0, held[0], "drained: every chunk given back");
        queue.append(ByteBuffer.wrap(new byte[3000]));
        queue.clear();
        assertEquals(0, held[0], "cleared: likewise");
    }

    @Test
    void clearReturnsChunks() {
        BufferPool pool = new BufferPool(1024, 2);
        ByteQueue queue = new ByteQueue(pool);
        queue.append(ByteBuffer.wrap(new byte[5000]));
        assertEquals(5000, queue.size());
        queue.clear();
        assertEquals(0, queue.size());
        assertEquals(0, pool.lent());
    }
}
