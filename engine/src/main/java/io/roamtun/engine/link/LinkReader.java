package io.roamtun.engine.link;

import io.roamtun.engine.transport.LinkTransport;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.LinkFrameHandler;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionFrameHandler;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one link receives: reads from the transport into its inbound buffer and decodes the frames in
 * place. Until the handshake only small frames arrive (at most {@link Wire#MAX_HANDSHAKE_FRAME_BYTES},
 * refused from the header beyond that), so a small heap buffer does and half-open connections cost little;
 * the full buffer comes with the session.
 */
final class LinkReader {
    private static final Logger log = LoggerFactory.getLogger(LinkReader.class);
    /** Two whole frames: a read always has room to complete the frame at hand. */
    static final int INBOUND_CAPACITY = 2 * Wire.MAX_FRAME_BYTES;

    private final LinkTransport transport;
    private final FrameDecoder decoder;
    private ByteBuffer inbound = ByteBuffer.allocate(Wire.MAX_HANDSHAKE_FRAME_BYTES);
    private boolean established;

    LinkReader(LinkTransport transport, Role local, String name) {
        this.transport = transport;
        this.decoder = new FrameDecoder(local, Wire.MAX_PAYLOAD);
        this.decoder.handshaking(true);
        if (log.isTraceEnabled()) { // one line per frame received; nothing at all when TRACE is off
            decoder.observeWith((type, stream, length, seq) -> log.trace("link {} {}", name, Wire.frameLog(true, type, stream, length, seq)));
        }
    }

    /** The handshake completed: frames of any size may come. */
    void established() {
        established = true;
        decoder.handshaking(false);
    }

    /**
     * Reads once and decodes what arrived: link frames to {@code link}, the session's to {@code session};
     * with {@code discard}, what arrives is dropped unread (a link that said goodbye). Returns the bytes
     * read, -1 when the peer closed its end.
     */
    int read(LinkFrameHandler link, SessionFrameHandler session, boolean discard) throws IOException, ProtocolException {
        int n = transport.read(inbound);
        if (n <= 0) {
            return n;
        }
        if (discard) {
            inbound.clear();
            return n;
        }
        inbound.flip();
        try {
            decoder.decode(inbound, link, session);
        } finally {
            inbound.compact();
        }
        if (established && inbound.capacity() < INBOUND_CAPACITY) {
            // Established during this batch (not swapped inside decode, which still reads the small buffer).
            ByteBuffer full = ByteBuffer.allocateDirect(INBOUND_CAPACITY);
            inbound.flip();
            full.put(inbound);
            inbound = full;
        }
        return n;
    }

    /** Whether another read now may bring more: the buffer filled up, or the transport holds bytes already. */
    boolean worthReadingAgain() {
        return !inbound.hasRemaining() || transport.mayHaveMore();
    }
}
