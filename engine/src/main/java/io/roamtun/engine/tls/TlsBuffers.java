package io.roamtun.engine.tls;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The buffers TLS transports borrow while they hold bytes: record-sized ones (a TLS record is at most
 * 2^14 bytes plus overhead; 17 KiB leaves room) for incoming and decrypted bytes, and larger ones for a
 * burst of outgoing records. Used only from the one loop thread that owns the transports' links.
 */
public final class TlsBuffers {
    /** One TLS 1.3 record: 16 KiB of plaintext plus header, padding and tag, with room to spare. */
    public static final int RECORD_BUFFER = 17 * 1024 + 512;
    /** Four records: per gathering write, and per read from the socket. */
    public static final int OUT_BUFFER = 4 * RECORD_BUFFER;
    private static final int MAX_IDLE = 64;

    private final ArrayDeque<ByteBuffer> records = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> outs = new ArrayDeque<>();

    ByteBuffer acquireRecord() {
        ByteBuffer b = records.pollLast();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(RECORD_BUFFER);
    }

    void releaseRecord(ByteBuffer b) {
        if (records.size() < MAX_IDLE) {
            records.addLast(b);
        }
    }

    ByteBuffer acquireOut() {
        ByteBuffer b = outs.pollLast();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(OUT_BUFFER);
    }

    void releaseOut(ByteBuffer b) {
        if (outs.size() < MAX_IDLE) {
            outs.addLast(b);
        }
    }
}
