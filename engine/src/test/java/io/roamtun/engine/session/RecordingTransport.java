package io.roamtun.engine.session;

import io.roamtun.engine.transport.LinkTransport;
import io.roamtun.protocol.AnyFrame;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport for links in session tests that keeps what it is given: takes every write whole, never has
 * anything to read. Written on the loop thread, read by the test: its methods are synchronized.
 */
final class RecordingTransport implements LinkTransport {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();

    @Override public int read(ByteBuffer dst) { return 0; }

    @Override public synchronized long write(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            byte[] bytes = new byte[srcs[i].remaining()];
            srcs[i].get(bytes);
            written.write(bytes, 0, bytes.length);
            n += bytes.length;
        }
        return n;
    }

    @Override public boolean hasBufferedOutput() { return false; }
    @Override public boolean flushBuffered() { return true; }
    @Override public SocketChannel channel() { return null; }
    @Override public String describe() { return "recording"; }
    @Override public void close() { }

    /** Decodes everything written so far as {@code reader} would. */
    synchronized void decodeAs(Role reader, AnyFrame handler) throws ProtocolException {
        new FrameDecoder(reader, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(written.toByteArray()), handler);
    }

    /** The ACK offsets written so far (by a client's link: read as the server). */
    List<Long> acks() throws ProtocolException {
        List<Long> acks = new ArrayList<>();
        decodeAs(Role.SERVER, new AnyFrame() {
            @Override public void onAck(long offset) { acks.add(offset); }
        });
        return acks;
    }

    /** WELCOME, OPEN_OK and ACK frames written so far (by a server's link), in order. */
    List<FrameType> frames() throws ProtocolException {
        List<FrameType> types = new ArrayList<>();
        decodeAs(Role.CLIENT, new AnyFrame() {
            @Override public void onWelcome(Welcome w) { types.add(FrameType.WELCOME); }
            @Override public void onOpenOk(int streamId) { types.add(FrameType.OPEN_OK); }
            @Override public void onAck(long offset) { types.add(FrameType.ACK); }
        });
        return types;
    }

    /** How many OPEN_FAILs were written so far (by a server's link). */
    int openFails() throws ProtocolException {
        int[] count = {0};
        decodeAs(Role.CLIENT, new AnyFrame() {
            @Override public void onOpenFail(int streamId, io.roamtun.protocol.ErrorCode code, String message) { count[0]++; }
        });
        return count[0];
    }
}
