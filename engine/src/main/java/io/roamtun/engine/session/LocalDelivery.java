package io.roamtun.engine.session;

import io.roamtun.engine.buffer.ByteQueue;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The peer's bytes of one stream on their way to the local socket: written straight through while the
 * socket keeps up, queued when it does not (bounded by the window this side advertised,
 * {@link ReceiveWindow}), and the credit the socket earns back as it takes them.
 */
final class LocalDelivery {
    /** How far a stream's window may grow ({@link ReceiveWindow}): this many times {@code --stream-window}. */
    static final int MAX_WINDOW_GROWTH = 8;

    private final ByteQueue queue;
    private final ReceiveWindow window;
    private long received;

    LocalDelivery(ByteQueue queue, ReceiveWindow window) {
        this.queue = queue;
        this.window = window;
    }

    /** For a stream of {@code session}: its queue's memory counted in the session's, its window from the settings. */
    static LocalDelivery of(Session session) {
        int window = session.settings().streamWindow();
        return new LocalDelivery(new ByteQueue(session.chunkPool(), session.budget(), session.queueMemory()::changed),
                new ReceiveWindow(window, (int) Math.min(1 << 30, (long) window * MAX_WINDOW_GROWTH)));
    }

    /** Counts DATA of {@code length} against the window; beyond it is the stream's FLOW_CONTROL_ERROR. */
    void admit(int streamId, int length) throws ProtocolException {
        if (!window.take(length)) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, streamId,
                    "peer sent " + window.excess(length) + " bytes beyond the window");
        }
        received += length;
    }

    /** Writes {@code count} payloads with one gathering write unless bytes wait before them; true when credit is owed now. */
    boolean writeThrough(SocketChannel channel, ByteBuffer[] payloads, int count) throws IOException {
        return queue.isEmpty() && consumed((int) channel.write(payloads, 0, count));
    }

    /** Queues what the socket did not take. */
    void queue(ByteBuffer rest) {
        queue.append(rest);
    }

    /** Writes what is queued, as far as the socket takes it; true when credit is owed now. */
    boolean writeQueued(SocketChannel channel) throws IOException {
        return consumed((int) queue.writeTo(channel));
    }

    private boolean consumed(int bytes) {
        if (bytes <= 0) {
            return false;
        }
        window.consumed(bytes);
        return window.owesUpdate();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    long queued() {
        return queue.size();
    }

    /** DATA bytes the peer sent on the stream, in all. */
    long received() {
        return received;
    }

    boolean owesUpdate() {
        return window.owesUpdate();
    }

    /** The WINDOW_UPDATE increment to send now ({@link ReceiveWindow#grant}). */
    int grant(boolean memoryUnderPressure) {
        return window.grant(queue.size(), memoryUnderPressure);
    }

    /** Drops what is queued (the local socket is gone). */
    void drop() {
        queue.clear();
    }

    /** Drops what is queued and owes no more credit (the stream was reset). */
    void dropAndForget() {
        queue.clear();
        window.forget();
    }
}
