package io.roamtun.engine.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A transport whose writes take at most {@code chunk} bytes: every partial-write path gets walked. */
public final class ChunkingTransport implements LinkTransport {
    public final ByteArrayOutputStream written = new ByteArrayOutputStream();
    public int chunk;

    public ChunkingTransport(int chunk) {
        this.chunk = chunk;
    }

    @Override
    public int read(ByteBuffer dst) {
        return 0;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long budget = chunk;
        long total = 0;
        for (int i = offset; i < offset + length && budget > 0; i++) {
            ByteBuffer src = srcs[i];
            while (src.hasRemaining() && budget > 0) {
                written.write(src.get());
                budget--;
                total++;
            }
        }
        return total;
    }

    @Override
    public boolean hasBufferedOutput() {
        return false;
    }

    @Override
    public boolean flushBuffered() {
        return true;
    }

    @Override
    public SocketChannel channel() {
        return null;
    }

    @Override
    public String describe() {
        return "chunking(" + chunk + ")";
    }

    @Override
    public void close() {}
}
