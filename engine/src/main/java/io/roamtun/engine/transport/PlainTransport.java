package io.roamtun.engine.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Plaintext TCP: the frames go to the socket as they are. Only with --insecure-plaintext. */
public final class PlainTransport implements LinkTransport {
    private final SocketChannel channel;

    public PlainTransport(SocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return channel.write(srcs, offset, length);
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
        return channel;
    }

    @Override
    public String describe() {
        return "plaintext";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: the peer learns from the TCP close, nothing to add
        }
    }
}
