package io.roamtun.engine.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The three buffers one TLS transport uses, each borrowed from the agent's {@link TlsBuffers} only while it
 * holds bytes and given back as soon as it is empty, so idle and half-open links hold none: records
 * received and not decrypted yet ({@link #netIn}, write mode), records made and not sent yet
 * ({@link #netOut}, read mode), and one decrypted record the caller had no room for ({@link #appIn}, read mode).
 */
final class TlsRecordBuffers {
    /** Content type, version, length. */
    private static final int TLS_RECORD_HEADER = 5;

    private final TlsBuffers pools;
    /** Write mode; null when empty. */
    ByteBuffer netIn;
    /** Read mode; null when empty. */
    ByteBuffer netOut;
    /** Read mode; null when empty. */
    ByteBuffer appIn;
    /**
     * Until the handshake is done netIn and netOut are one record's size, not a batch's: a half-open
     * connection that sent part of a ClientHello and stalls holds 17 KiB, not 280.
     */
    private boolean small = true;

    TlsRecordBuffers(TlsBuffers pools) {
        this.pools = pools;
    }

    /** The handshake is done: batches of records from now on (those borrowed small stay until emptied). */
    void handshakeDone() {
        small = false;
    }

    private ByteBuffer acquire() {
        return small ? pools.acquireRecord() : pools.acquireBatch();
    }

    /** Gives a netIn or netOut back to the pool it came from. */
    private void release(ByteBuffer buffer) {
        if (buffer.capacity() == TlsBuffers.RECORD_BUFFER) {
            pools.releaseRecord(buffer);
        } else {
            pools.releaseBatch(buffer);
        }
    }

    TlsBuffers pools() {
        return pools;
    }

    /** netIn, borrowed if need be: several records per read mean fewer syscalls and selector turns. */
    ByteBuffer netInForReading() {
        if (netIn == null) {
            netIn = acquire();
        }
        return netIn;
    }

    void releaseNetInIfEmpty() {
        if (netIn != null && netIn.position() == 0) {
            release(netIn);
            netIn = null;
        }
    }

    /** Received bytes not decrypted yet. */
    boolean holdsUndecrypted() {
        return netIn != null && netIn.position() > 0;
    }

    /**
     * netIn begins with a complete record, which a read would decrypt without the socket. Part of one is
     * not enough: the rest is still on its way, and the selector says when it arrives (reading again at
     * once would spin the loop until then).
     */
    boolean holdsWholeRecord() {
        if (netIn == null || netIn.position() < TLS_RECORD_HEADER) {
            return false;
        }
        int length = ((netIn.get(3) & 0xff) << 8) | (netIn.get(4) & 0xff);
        return netIn.position() >= TLS_RECORD_HEADER + length;
    }

    /** netOut in write mode, borrowed if need be, for wrapping records into. */
    ByteBuffer netOutForWriting() {
        if (netOut == null) {
            netOut = acquire();
        } else {
            netOut.compact();
        }
        return netOut;
    }

    /** Back to read mode after wrapping; given back when nothing was produced. */
    void doneWritingNetOut() {
        netOut.flip();
        if (!netOut.hasRemaining()) {
            release(netOut);
            netOut = null;
        }
    }

    /** Writes netOut to {@code channel} until it is empty (true) or the socket is full (false). */
    boolean flushNetOut(SocketChannel channel) throws IOException {
        while (netOut != null) {
            if (channel.write(netOut) == 0) {
                return false;
            }
            if (!netOut.hasRemaining()) {
                release(netOut);
                netOut = null;
            }
        }
        return true;
    }

    /** appIn, cleared for one decrypted record, borrowed if need be. */
    ByteBuffer appInForRecord() {
        if (appIn == null) {
            appIn = pools.acquireRecord();
        }
        return appIn.clear();
    }

    /** Moves what appIn holds into {@code dst}, as far as it takes; returns the bytes moved. */
    int drainAppIn(ByteBuffer dst) {
        if (appIn == null) {
            return 0;
        }
        int n = Math.min(appIn.remaining(), dst.remaining());
        if (n > 0) {
            int limit = appIn.limit();
            appIn.limit(appIn.position() + n);
            dst.put(appIn);
            appIn.limit(limit);
        }
        if (!appIn.hasRemaining()) {
            pools.releaseRecord(appIn);
            appIn = null;
        }
        return n;
    }

    /** Gives every buffer back (the transport is closed, or never started). */
    void releaseAll() {
        if (appIn != null) {
            pools.releaseRecord(appIn);
        }
        if (netIn != null) {
            release(netIn);
        }
        if (netOut != null) {
            release(netOut);
        }
        netIn = appIn = netOut = null;
    }
}
