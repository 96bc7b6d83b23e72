package io.roamtun.engine.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Random;

/**
 * A real transport seen through a bad network, for fault injection below the link: every read and write
 * moves at most a few bytes (a size drawn from a seeded random, so a frame is split at every place over a
 * run), and once {@code failAfterBytes} have gone through either way, the next call fails the way a reset
 * connection does. In the spirit of tls-channel's chunking channels and Eternal Terminal's flaky socket.
 */
public final class FaultyTransport implements LinkTransport {
    private final LinkTransport inner;
    private final Random random;
    private final int maxChunk;
    private final long failAfterBytes;
    private long moved;
    private boolean failed;

    /** @param failAfterBytes bytes read and written before the injected failure; Long.MAX_VALUE for none */
    public FaultyTransport(LinkTransport inner, long seed, int maxChunk, long failAfterBytes) {
        this.inner = inner;
        this.random = new Random(seed);
        this.maxChunk = maxChunk;
        this.failAfterBytes = failAfterBytes;
    }

    private int chunk() {
        return 1 + random.nextInt(maxChunk);
    }

    private void maybeFail() throws IOException {
        if (failed || moved >= failAfterBytes) {
            failed = true;
            throw new IOException("Connection reset (injected after " + moved + " bytes)");
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        maybeFail();
        int limit = dst.limit();
        dst.limit(dst.position() + Math.min(dst.remaining(), chunk()));
        try {
            int n = inner.read(dst);
            moved += Math.max(0, n);
            return n;
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public boolean mayHaveMore() {
        return inner.mayHaveMore();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        maybeFail();
        int budget = chunk();
        // Lend the inner transport views cut to the budget; move the sources on by what it took.
        ByteBuffer[] cut = new ByteBuffer[length];
        int count = 0;
        for (int i = offset; i < offset + length && budget > 0; i++) {
            ByteBuffer view = srcs[i].duplicate();
            view.limit(view.position() + Math.min(view.remaining(), budget));
            budget -= view.remaining();
            cut[count++] = view;
        }
        long n = inner.write(cut, 0, count);
        long left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            int step = (int) Math.min(srcs[i].remaining(), left);
            srcs[i].position(srcs[i].position() + step);
            left -= step;
        }
        moved += n;
        return n;
    }

    @Override
    public boolean hasBufferedOutput() {
        return inner.hasBufferedOutput();
    }

    @Override
    public boolean flushBuffered() throws IOException {
        return inner.flushBuffered();
    }

    @Override
    public SocketChannel channel() {
        return inner.channel();
    }

    @Override
    public String describe() {
        return "faulty(" + inner.describe() + ")";
    }

    @Override
    public void close() {
        inner.close();
    }
}
