package io.roamtun.engine.session;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * DATA payloads on their way to local sockets, kept from a decode's start to its end ({@code beforeBatch} to
 * {@code afterBatch}) so a stream given several in one read of its link writes them with one gathering write:
 * on a bulk transfer that halves the writes to the local socket and the wake-ups of the program reading it.
 * The payloads are views into the decoder's buffer, which stays put until the decode ends; nothing is copied.
 * Outside a decode (held frames taken later, tests) nothing is kept: {@link #keep} says no.
 */
final class GatheredDelivery {
    /** Payloads kept at most; the next one writes them all first (a read of one link brings two full frames). */
    static final int MAX_KEPT = 64;

    private final Stream[] owners = new Stream[MAX_KEPT];
    private final ByteBuffer[] payloads = new ByteBuffer[MAX_KEPT];
    /** One stream's payloads, in order, for its gathering write. */
    private final ByteBuffer[] oneStream = new ByteBuffer[MAX_KEPT];
    /** For a payload written at once: {@link Stream#deliver} takes an array. */
    private final ByteBuffer[] alone = new ByteBuffer[1];
    private int kept;
    private boolean decoding;

    void decodeStarts() {
        decoding = true;
    }

    /** The decode is over: every kept payload is written now, while its bytes are still valid. */
    void decodeEnds() {
        decoding = false;
        writeAll();
    }

    /**
     * Keeps {@code payload} (a view of it) for {@code stream} until the decode ends; false outside a decode
     * and when the kept ones had to be written first, where the caller delivers it at once (after what its
     * stream has queued).
     */
    boolean keep(Stream stream, ByteBuffer payload) {
        if (!decoding) {
            return false;
        }
        if (kept == MAX_KEPT) {
            // Written now; this payload is not kept: its stream may have bytes queued after that write, and
            // the caller's delivery puts it behind them.
            writeAll();
            return false;
        }
        owners[kept] = stream;
        payloads[kept] = payload.slice();
        kept++;
        return true;
    }

    /** {@code payload} as the one element of an array, for {@link Stream#deliver}. */
    ByteBuffer[] alone(ByteBuffer payload) {
        alone[0] = payload;
        return alone;
    }

    /** Payloads kept now (for tests). */
    int kept() {
        return kept;
    }

    /** Whether payloads wait for {@code stream} (they go before anything else the stream does). */
    boolean holds(Stream stream) {
        for (int i = 0; i < kept; i++) {
            if (owners[i] == stream) {
                return true;
            }
        }
        return false;
    }

    /** Writes every kept payload, each stream's in the order they came, with one gathering write per stream. */
    void writeAll() {
        int total = kept;
        kept = 0; // (a stream's write may end the stream, and that asks for writeAll again: nothing is left then)
        for (int i = 0; i < total; i++) {
            Stream stream = owners[i];
            if (stream == null) {
                continue;
            }
            int count = 0;
            for (int j = i; j < total; j++) {
                if (owners[j] == stream) {
                    oneStream[count++] = payloads[j];
                    owners[j] = null;
                    payloads[j] = null;
                }
            }
            stream.deliver(oneStream, count);
            Arrays.fill(oneStream, 0, count, null);
        }
    }
}
