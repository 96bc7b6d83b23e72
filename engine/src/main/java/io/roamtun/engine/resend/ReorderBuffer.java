package io.roamtun.engine.resend;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Wire;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * MULTIPATH: the peer's sequenced frames that arrived ahead of their place, by another link than the one
 * still bringing the frames before them, kept (copied) by offset until those arrive. Bounded: a frame may end
 * at most {@link Wire#REORDER_WINDOW} past what was received, and all held frames together take at most that
 * much, each counted with its overhead in memory ({@link #ENTRY_OVERHEAD}); a peer that goes beyond (an honest one never does: it sends no frame past its last ACK plus the
 * window while another link may still deliver frames before it) breaks the sequence. A copy of a frame
 * already held is dropped.
 */
public final class ReorderBuffer {
    /** What a held frame costs beyond its bytes (the map entry, the key, the array header), counted against the window. */
    static final int ENTRY_OVERHEAD = 96;
    private final TreeMap<Long, byte[]> frames = new TreeMap<>();
    private final long window;
    private long bytesHeld;
    private long duplicates;
    private long framesHeld;

    public ReorderBuffer() {
        this(Wire.REORDER_WINDOW);
    }

    ReorderBuffer(long window) {
        this.window = window;
    }

    /** Whether a frame at {@code seq} of {@code frameBytes}, ahead of {@code received}, lies within the window. */
    public boolean withinWindow(long seq, int frameBytes, long received) {
        return seq > received && seq - received <= window - frameBytes; // (no sum that could overflow near 2^63)
    }

    /** Keeps a copy of {@code frame} (the whole frame, from its position to its limit), which starts at {@code seq}. */
    public void hold(long seq, ByteBuffer frame, long received) throws ProtocolException {
        int length = frame.remaining();
        if (!withinWindow(seq, length, received)) {
            throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "a frame at " + seq + " of " + length + " bytes is beyond "
                    + window + " bytes past the received offset " + received);
        }
        if (frames.containsKey(seq)) {
            duplicates++;
            return;
        }
        if (bytesHeld + length + ENTRY_OVERHEAD > window) {
            throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "frames held out of order would take more than " + window + " bytes");
        }
        byte[] copy = new byte[length];
        frame.duplicate().get(copy);
        frames.put(seq, copy);
        bytesHeld += length + ENTRY_OVERHEAD;
        framesHeld++;
    }

    /**
     * The held frame that starts at or straddles {@code received}, removed (a straddling one is the peer's
     * lie, for the sequence check to refuse), or null; frames that end at or before it are dropped first.
     */
    public ByteBuffer takeNext(long received) {
        Map.Entry<Long, byte[]> first;
        while ((first = frames.firstEntry()) != null && first.getKey() <= received) {
            frames.pollFirstEntry();
            bytesHeld -= first.getValue().length + ENTRY_OVERHEAD;
            if (first.getKey() + first.getValue().length > received) {
                return ByteBuffer.wrap(first.getValue());
            }
            duplicates++; // it came again by the link that was behind
        }
        return null;
    }

    public long bytesHeld() { return bytesHeld; }

    public int framesHeld() { return frames.size(); }

    /** Frames held since the start (each arrived ahead of its place). */
    public long framesHeldEver() { return framesHeld; }

    /** Copies dropped: held twice, or arrived in order after being held. */
    public long duplicates() { return duplicates; }

    public void clear() {
        frames.clear();
        bytesHeld = 0;
    }
}
