package io.roamtun.engine.transport;

import io.roamtun.engine.transport.LinkTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS over a non-blocking socket through an {@link SSLEngine}. Three named buffers, each capped ({@link TlsRecordBuffers}):
 * {@code netIn} (records from the peer, not yet decrypted), {@code netOut} (records for the peer, not yet
 * written) and {@code appIn} (decrypted bytes the caller had no room for). They are borrowed from the
 * loop's pools only while they hold bytes and given back when empty, so a thousand idle or half-open
 * connections hold no buffer at all. Decryption goes straight into the caller's buffer when it can hold a
 * whole record. Until the handshake is done the transport takes no plaintext and says what it waits for
 * ({@link #need()}).
 */
public final class TlsTransport implements LinkTransport {

    private enum Phase { HANDSHAKING, OPEN, CLOSED }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The first byte of a TLS record carrying a handshake message, and of one carrying an alert. */
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;
    private static final byte TLS_ALERT_RECORD = 0x15;
    /** Bounds one write call (about 1 MiB of plaintext) so one busy link cannot hold the loop for long. */
    private static final long MAX_BYTES_PER_WRITE = 1 << 20;
    /** The exporter label and length of {@link #channelBinding} (RFC 8446 section 7.5; PROTOCOL.md "Resume"). */
    private static final String CHANNEL_BINDING_LABEL = "EXPORTER-roamtun-resume";
    private static final int CHANNEL_BINDING_BYTES = 32;


    private final SocketChannel channel;
    private final SSLEngine engine;
    private final String providerName;
    private final TlsRecordBuffers buffers;
    private final int appRecordSize;
    private final int packetSize;
    private Phase phase = Phase.HANDSHAKING;
    private boolean peerClosed;
    private boolean lastReadFilled;
    /** The peer's first byte was looked at: a TLS peer starts with a handshake record (or an alert). */
    private boolean firstByteChecked;
    /** A handshake message (e.g. a KeyUpdate answer) waits for room in netOut. */
    private boolean wrapOwed;
    private IOException failure;
    private final TlsRecordCutter cutter = new TlsRecordCutter();

    public TlsTransport(SocketChannel channel, SSLEngine engine, String providerName, TlsBuffers buffers) throws IOException {
        this.channel = channel;
        this.engine = engine;
        this.providerName = providerName;
        this.buffers = new TlsRecordBuffers(buffers);
        SSLSession session = engine.getSession();
        this.packetSize = session.getPacketBufferSize();
        this.appRecordSize = session.getApplicationBufferSize();
        if (packetSize > TlsBuffers.RECORD_BUFFER || appRecordSize > TlsBuffers.RECORD_BUFFER) {
            throw new IOException("TLS records of " + packetSize + " bytes do not fit the " + TlsBuffers.RECORD_BUFFER + "-byte buffers");
        }
        try {
            engine.beginHandshake();
            progressHandshake();
        } catch (IOException | RuntimeException e) {
            this.buffers.releaseAll(); // no transport to close: give back what the first handshake step borrowed
            throw e;
        }
    }

    /** Received bytes not decrypted yet (for tests). */
    boolean holdsUndecrypted() {
        return buffers.holdsUndecrypted();
    }

    /** The pools this transport borrows from (for tests). */
    TlsBuffers buffers() {
        return buffers.pools();
    }

    public boolean handshakeDone() {
        return phase == Phase.OPEN;
    }

    @Override
    public Need need() {
        if (phase == Phase.HANDSHAKING) {
            return engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP ? Need.READ : Need.WRITE;
        }
        return Need.NOTHING;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        failIfFailed();
        int produced = buffers.drainAppIn(dst);
        if (produced > 0) {
            return produced;
        }
        ByteBuffer netIn = buffers.netInForReading();
        int n;
        try {
            // No more records than the caller can take (plus one): what stays undecrypted is moved to the
            // buffer's front after each call, and a batch larger than the caller's buffer would move most of it.
            int wanted = Math.max(dst.remaining(), appRecordSize) + packetSize;
            netIn.limit(Math.min(netIn.capacity(), Math.max(netIn.position(), wanted)));
            n = channel.read(netIn);
            lastReadFilled = !netIn.hasRemaining();
        } catch (IOException e) {
            buffers.releaseNetInIfEmpty();
            throw e;
        }
        if (n <= 0 && netIn.position() == 0) {
            buffers.releaseNetInIfEmpty();
            return n < 0 ? -1 : 0;
        }
        netIn.flip();
        boolean first = !firstByteChecked;
        firstByteChecked = true;
        if (first && netIn.get(0) != TLS_HANDSHAKE_RECORD && netIn.get(0) != TLS_ALERT_RECORD) {
            // Not a TLS record: most likely the other agent runs with --insecure-plaintext.
            failure = new IOException("the peer does not speak TLS (is it running with --insecure-plaintext? "
                    + "both agents must use TLS, or both --insecure-plaintext)");
            netIn.clear();
            buffers.releaseNetInIfEmpty();
            throw failure;
        }
        try {
            while (netIn.hasRemaining() && dst.hasRemaining()) {
                boolean direct = dst.remaining() >= appRecordSize;
                ByteBuffer target = direct ? dst : buffers.appInForRecord();
                SSLEngineResult r;
                try {
                    r = engine.unwrap(netIn, target);
                } finally {
                    if (!direct) {
                        target.flip();
                    }
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    peerClosed = true;
                    break;
                }
                if (!direct) {
                    produced += buffers.drainAppIn(dst);
                } else {
                    produced += r.bytesProduced();
                }
                handleHandshakeStatus(r.getHandshakeStatus());
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                        || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                    break;
                }
            }
        } catch (SSLException e) {
            throw fail(e);
        } finally {
            netIn.compact();
            buffers.releaseNetInIfEmpty();
        }
        if (produced == 0 && (peerClosed || n < 0)) {
            return -1;
        }
        return produced;
    }

    @Override
    public boolean mayHaveMore() {
        return lastReadFilled || buffers.appIn != null || buffers.holdsWholeRecord();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        failIfFailed();
        if (phase != Phase.OPEN || !flushBuffered()) {
            return 0;
        }
        long wanted = 0;
        for (int i = offset; i < offset + length; i++) {
            wanted += srcs[i].remaining();
        }
        long consumed = 0;
        // A batch of records per write, and batches while the socket takes them whole: the caller learns
        // the socket is full from a short count, not after one batch, which would cost it a selector turn.
        // Flushed after every batch, also one that took no plaintext (pending handshake records).
        while (consumed < wanted && consumed < MAX_BYTES_PER_WRITE) {
            long wrapped = wrapBatch(srcs, offset, length);
            consumed += wrapped;
            if (!flushBuffered() || wrapped == 0) {
                break;
            }
        }
        return consumed;
    }

    /** Encrypts up to one netOut buffer of records; returns the plaintext bytes taken. */
    private long wrapBatch(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long consumed = 0;
        ByteBuffer out = buffers.netOutForWriting();
        try {
            for (int records = 0; records < SegmentSizes.TLS_RECORDS_PER_WRITE && out.remaining() >= packetSize; records++) {
                SSLEngineResult r = cutter.wrap(engine, srcs, offset, length, out);
                consumed += r.bytesConsumed();
                if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) {
                    break;
                }
            }
        } catch (SSLException e) {
            throw fail(e);
        } finally {
            buffers.doneWritingNetOut();
        }
        return consumed;
    }

    @Override
    public boolean hasBufferedOutput() {
        return buffers.netOut != null || wrapOwed;
    }

    @Override
    public boolean flushBuffered() throws IOException {
        if (!buffers.flushNetOut(channel)) {
            return false;
        }
        if (wrapOwed) {
            wrapOwed = false;
            handleHandshakeStatus(engine.getHandshakeStatus());
            return buffers.netOut == null && !wrapOwed;
        }
        return true;
    }

    /** Runs the handshake as far as it goes without waiting for the peer. */
    private void progressHandshake() throws IOException {
        handleHandshakeStatus(engine.getHandshakeStatus());
    }

    private void handleHandshakeStatus(HandshakeStatus status) throws IOException {
        HandshakeStatus s = status;
        while (true) {
            switch (s) {
                case NEED_WRAP -> {
                    ByteBuffer out = buffers.netOutForWriting();
                    SSLEngineResult r;
                    try {
                        r = engine.wrap(EMPTY, out);
                    } catch (SSLException e) {
                        throw fail(e);
                    } finally {
                        buffers.doneWritingNetOut();
                    }
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        // No room for a whole record while the socket is backed up: wrap once it drains.
                        wrapOwed = true;
                        return;
                    }
                    flushBuffered();
                    // Conscrypt's last handshake wrap may produce nothing and report FINISHED.
                    s = r.getHandshakeStatus();
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        return;
                    }
                }
                case NEED_TASK -> { // the JDK's engine delegates work; Conscrypt never does
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    s = engine.getHandshakeStatus();
                }
                case FINISHED -> {
                    opened();
                    return;
                }
                case NOT_HANDSHAKING -> {
                    if (phase == Phase.HANDSHAKING) {
                        opened();
                    }
                    return;
                }
                default -> { // NEED_UNWRAP, NEED_UNWRAP_AGAIN: wait for the peer's records
                    return;
                }
            }
        }
    }

    private void opened() {
        phase = Phase.OPEN;
        buffers.handshakeDone();
    }

    private IOException fail(SSLException e) {
        String message = String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", "; "); // the library's can span lines
        failure = new IOException("TLS: " + message, e);
        return failure;
    }

    private void failIfFailed() throws IOException {
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public SocketChannel channel() {
        return channel;
    }

    /** Conscrypt's engines export keying material; the JDK 17 one has no API for it. */
    @Override
    public boolean canBindChannel() {
        return engine.getClass().getName().startsWith("org.conscrypt.");
    }

    @Override
    public byte[] channelBinding() throws IOException {
        if (!canBindChannel()) {
            return new byte[0];
        }
        if (phase != Phase.OPEN) {
            throw new IllegalStateException("no channel binding before the TLS handshake is done");
        }
        return org.conscrypt.Conscrypt.exportKeyingMaterial(engine, CHANNEL_BINDING_LABEL, null, CHANNEL_BINDING_BYTES);
    }

    @Override
    public String describe() {
        if (phase != Phase.OPEN) {
            return "TLS (handshaking, " + providerName + ")";
        }
        SSLSession s = engine.getSession();
        return s.getProtocol() + " " + s.getCipherSuite() + " (" + providerName + ")";
    }

    public String protocol() {
        return engine.getSession().getProtocol();
    }

    /**
     * Sends close_notify if it can at once, frees the engine and closes the socket. Conscrypt does not move
     * to NEED_WRAP on closeOutbound, so the close_notify is wrapped here by hand, and closeInbound is called
     * too: an engine left half-closed keeps a pipe (two file descriptors) open.
     */
    @Override
    public void close() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        try {
            engine.closeOutbound();
            ByteBuffer out = buffers.netOutForWriting();
            try {
                engine.wrap(EMPTY, out);
            } finally {
                buffers.doneWritingNetOut();
            }
            if (channel.isOpen() && buffers.netOut != null) {
                channel.write(buffers.netOut);
            }
        } catch (IOException | RuntimeException ignored) {
            // closing anyway: the peer learns from the TCP close
        }
        try {
            engine.closeInbound();
        } catch (SSLException | RuntimeException expected) {
            // "inbound closed before receiving close_notify": expected when we close first
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        buffers.releaseAll();
    }
}
