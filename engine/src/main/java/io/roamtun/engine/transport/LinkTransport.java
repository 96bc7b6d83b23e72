package io.roamtun.engine.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The byte pipe under the framing: plaintext TCP ({@link PlainTransport}) or TLS ({@link TlsTransport}) behind the same calls, so
 * neither the framing nor the relays know which it is. Non-blocking: every call does what it can now.
 */
public interface LinkTransport {

    /** What the transport waits for before it takes plaintext: nothing, the peer's bytes, or room to write. */
    enum Need { NOTHING, READ, WRITE }

    /** During a handshake (TLS) the transport takes no plaintext; this says what would move it on. */
    default Need need() {
        return Need.NOTHING;
    }

    /** Reads plaintext bytes into {@code dst}; returns the count, 0 when none are ready, -1 at end of stream. */
    int read(ByteBuffer dst) throws IOException;

    /**
     * True when the last {@link #read} may have left bytes behind in the socket or in the transport (it
     * stopped because its own buffer was full), so reading again at once is worth a syscall. Plaintext
     * reads fill the caller's buffer directly: there, a buffer not filled means the socket is drained.
     */
    default boolean mayHaveMore() {
        return false;
    }

    /** Writes from the buffers in order; returns the plaintext bytes taken, possibly 0. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /** True when the transport holds output of its own (e.g. encrypted records) not yet on the wire. */
    boolean hasBufferedOutput();

    /** Pushes buffered output; returns true when none is left. */
    boolean flushBuffered() throws IOException;

    SocketChannel channel();

    /**
     * Whether {@link #channelBinding} gives a value once the handshake is done: TLS whose implementation
     * can export keying material. Known before the handshake (a HELLO offers it).
     */
    default boolean canBindChannel() {
        return false;
    }

    /**
     * A value only the two ends of this connection know and no other connection shares (TLS: 32 bytes
     * exported with label {@code "EXPORTER-roamtun-resume"}, RFC 8446 section 7.5), available once the
     * handshake is done; empty when the transport cannot bind ({@link #canBindChannel()} false).
     */
    default byte[] channelBinding() throws IOException {
        return new byte[0];
    }

    /** A short description for logs, e.g. "plaintext" or "TLSv1.3 TLS_AES_128_GCM_SHA256". */
    String describe();

    /** Closes at once, without waiting for buffered output. Idempotent. */
    void close();
}
