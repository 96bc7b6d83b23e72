package io.roamtun.engine.session;

import io.roamtun.engine.transport.LinkTransport;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A transport for links in session tests: takes every write whole and drops it; never has anything to read. */
final class SinkTransport implements LinkTransport {
    @Override public int read(ByteBuffer dst) { return 0; }

    @Override public long write(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
            srcs[i].position(srcs[i].limit());
        }
        return n;
    }

    @Override public boolean hasBufferedOutput() { return false; }
    @Override public boolean flushBuffered() { return true; }
    @Override public SocketChannel channel() { return null; }
    @Override public String describe() { return "sink"; }
    @Override public void close() { }
}
