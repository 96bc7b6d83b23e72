package io.roamtun.engine.transport;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * Cuts a link's plaintext into TLS records of a quarter loopback segment ({@link SegmentSizes}), so four
 * records fill one segment and a batch of sixteen ends on a segment's end. What a record adds to its
 * plaintext differs by provider (22 bytes with Conscrypt, 38 with the JDK's): the first data record says,
 * and the plaintext per record is set to match.
 */
final class TlsRecordCutter {
    /** Content type, version, length. */
    private static final int RECORD_HEADER = 5;
    /** A TLS 1.3 record's length field at most (RFC 8446 5.2: 2^14 + 256). */
    private static final int MAX_RECORD_LENGTH = (1 << 14) + 256;
    /** More than any provider adds to a record (a provider padding records heavily keeps the default size). */
    private static final int MAX_OVERHEAD = 256;

    private int plaintextPerRecord = SegmentSizes.TLS_RECORD_PLAINTEXT;
    private boolean overheadLearned;

    /**
     * Wraps one record. The usual one comes out of one buffer, passed alone so the engine reads it in place
     * (Conscrypt copies a record it gathers from several buffers).
     */
    SSLEngineResult wrap(SSLEngine engine, ByteBuffer[] srcs, int offset, int length, ByteBuffer out) throws SSLException {
        int start = out.position();
        SSLEngineResult r = wrapOne(engine, srcs, offset, length, out);
        int overhead = r.bytesProduced() - r.bytesConsumed();
        if (!overheadLearned && r.bytesConsumed() > 0 && overhead > 0 && overhead <= MAX_OVERHEAD
                && isOneRecord(out, start, r.bytesProduced())) {
            overheadLearned = true;
            plaintextPerRecord = SegmentSizes.LOOPBACK_SEGMENT / 4 - overhead;
        }
        return r;
    }

    /**
     * Whether the {@code produced} bytes from {@code start} are one record: a pending handshake message
     * (a KeyUpdate's answer) can leave with the first data record and would overstate the overhead.
     */
    private static boolean isOneRecord(ByteBuffer out, int start, int produced) {
        if (produced < RECORD_HEADER || produced > RECORD_HEADER + MAX_RECORD_LENGTH) {
            return false;
        }
        int length = ((out.get(start + 3) & 0xff) << 8) | (out.get(start + 4) & 0xff);
        return RECORD_HEADER + length == produced;
    }

    private SSLEngineResult wrapOne(SSLEngine engine, ByteBuffer[] srcs, int offset, int length, ByteBuffer out) throws SSLException {
        int end = offset + length;
        int first = offset;
        while (first < end - 1 && !srcs[first].hasRemaining()) {
            first++;
        }
        int room = plaintextPerRecord;
        for (int i = first; i < end; i++) {
            ByteBuffer src = srcs[i];
            if (src.remaining() < room) {
                room -= src.remaining();
                continue;
            }
            int limit = src.limit();
            src.limit(src.position() + room);
            try {
                return i == first ? engine.wrap(src, out) : engine.wrap(srcs, first, i + 1 - first, out);
            } finally {
                src.limit(limit);
            }
        }
        return engine.wrap(srcs, first, end - first, out); // less than a record's worth in all
    }
}
