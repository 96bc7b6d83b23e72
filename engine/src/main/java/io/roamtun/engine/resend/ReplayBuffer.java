package io.roamtun.engine.resend;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Wire;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The sender's half of the session sequence: every sequenced frame, encoded once, from the moment it is
 * made until the peer acknowledges it. It is both the send queue (a link writes from it) and the replay
 * buffer (after a reconnect the unacknowledged tail is written again from it).
 *
 * <pre>
 *   acked                           head
 *     |<------- unacknowledged ------>|
 *  ...[seg][seg][seg  ][seg    ]......   segments of pooled direct memory; a frame never spans two
 * </pre>
 *
 * Sequence offsets are 64-bit byte offsets of frame starts; a segment maps a contiguous run of them.
 * Local sockets are read straight into a reserved slot here ({@link #reserveData}), so a byte going to the
 * peer is copied by the kernel into this buffer and out of it, and by nobody else.
 *
 * <p>Bounded by {@code capacity}: data may fill all but the last segment (at least {@link #CONTROL_RESERVE}),
 * and never enters that segment once a control frame has opened it, so that FIN,
 * RESET, OPEN_OK and WINDOW_UPDATE still fit when data has filled the rest. Not thread-safe: one loop owns it.
 */
public final class ReplayBuffer {
    /** Room kept for sequenced control frames when data has filled the buffer. */
    public static final int CONTROL_RESERVE = 64 * 1024;
    /** A data slot smaller than this goes to a new segment rather than the end of the current one. */
    private static final int MIN_DATA_SLOT = 4096;

    private static final class Segment {
        final ByteBuffer memory;
        final ByteBuffer writer;
        final ByteBuffer reader;
        final long start;
        int used;

        Segment(ByteBuffer memory, long start) {
            this.memory = memory;
            this.writer = memory.duplicate();
            this.reader = memory.duplicate();
            this.start = start;
        }

        long end() {
            return start + used;
        }

        int room() {
            return memory.capacity() - used;
        }
    }

    /** Segments a session may always hold: its minimum in the agent's {@link MemoryBudget}. */
    public static final int MINIMUM_SEGMENTS = 2;

    private final BufferPool pool;
    /** Null: no agent-wide cap (unit tests). */
    private final MemoryBudget budget;
    private final int maxSegments;
    private final int maxDataSegments;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private long acked;
    /** The highest acknowledgement the peer gave (a frame boundary); {@link #acked} lags behind it while a link finishes a frame. */
    private long highestAck;
    /** Frames links are halfway through writing: nothing from the lowest on is freed until its rest is out. */
    private final ReplayPins pins = new ReplayPins();
    /** Told when acknowledgements freed room (null: nobody). */
    private Runnable onRoomFreed;
    private long head;
    /** Where the open data reservation starts, or -1. */
    private int reservedAt = -1;

    public ReplayBuffer(BufferPool pool, long capacity) {
        this(pool, capacity, null);
    }

    /**
     * @param budget  the agent's cap: segments beyond {@link #MINIMUM_SEGMENTS} come from its shared half,
     *                and data waits (reserveData returns null) when that is used up; null for none
     */
    public ReplayBuffer(BufferPool pool, long capacity, MemoryBudget budget) {
        this.pool = pool;
        this.budget = budget;
        if (capacity < 2L * pool.bufferSize() || capacity < 2L * CONTROL_RESERVE) {
            throw new IllegalArgumentException("replay buffer of " + capacity + " bytes is too small; need at least "
                    + 2L * Math.max(pool.bufferSize(), CONTROL_RESERVE));
        }
        if (pool.bufferSize() < Wire.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("segments must hold a largest frame");
        }
        this.maxSegments = (int) Math.min(Integer.MAX_VALUE, capacity / pool.bufferSize());
        // At least one whole segment beyond data's share, whatever the capacity's rounding: the reserve.
        this.maxDataSegments = (int) Math.max(1, Math.min(maxSegments - 1, (capacity - CONTROL_RESERVE) / pool.bufferSize()));
    }

    /** {@code listener} runs whenever acknowledgements free room (the session wakes the streams that wait for it). */
    public void onRoomFreed(Runnable listener) {
        this.onRoomFreed = listener;
    }

    /** Offset the next frame will get. */
    public long head() {
        return head;
    }

    /** Everything before this offset was acknowledged and is gone. */
    public long acked() {
        return acked;
    }

    /** The highest acknowledgement the peer gave: at least {@link #acked}, more while a link held part of it back. */
    public long highestAck() {
        return highestAck;
    }

    public long unacknowledged() {
        return head - acked;
    }

    /** Bytes of pooled memory held now. */
    public long footprint() {
        return (long) segments.size() * pool.bufferSize();
    }

    /** True when a data slot can be reserved now. */
    public boolean hasDataRoom() {
        if (segments.size() > maxDataSegments) {
            return false; // the last segment is the control reserve
        }
        Segment last = segments.peekLast();
        return (last != null && last.room() >= Wire.HEADER_BYTES + MIN_DATA_SLOT) || segments.size() < maxDataSegments;
    }

    /**
     * Reserves a DATA frame of up to {@code maxPayload} bytes; returns the payload slot (write into it
     * from its position, as far as its limit), or null when the buffer is full. Follow with
     * {@link #commitData} or {@link #cancelData}.
     */
    public ByteBuffer reserveData(int maxPayload) {
        if (reservedAt >= 0) {
            throw new IllegalStateException("a data reservation is already open");
        }
        int wanted = Math.min(maxPayload, Wire.MAX_PAYLOAD);
        if (segments.size() > maxDataSegments) {
            return null; // a control frame opened the reserve segment: it stays for control frames
        }
        Segment seg = segments.peekLast();
        if (seg == null || seg.room() < Wire.HEADER_BYTES + Math.min(wanted, MIN_DATA_SLOT)) {
            if (segments.size() >= maxDataSegments) {
                return null;
            }
            seg = addSegment(false);
            if (seg == null) {
                return null;
            }
        }
        int payload = Math.min(wanted, seg.room() - Wire.HEADER_BYTES);
        reservedAt = seg.used;
        seg.writer.limit(seg.used + Wire.HEADER_BYTES + payload).position(seg.used + Wire.HEADER_BYTES);
        return seg.writer;
    }

    /** Completes the open reservation as a DATA frame of {@code length} bytes; returns its offset. */
    public long commitData(int streamId, int length) {
        Segment seg = segments.peekLast();
        if (reservedAt < 0 || length <= 0 || reservedAt + Wire.HEADER_BYTES + length > seg.memory.capacity()) {
            throw new IllegalStateException("no open reservation for " + length + " bytes");
        }
        seg.writer.limit(seg.memory.capacity()).position(reservedAt);
        long seq = head;
        FrameEncoder.dataHeader(seg.writer, seq, streamId, length);
        advance(seg, Wire.HEADER_BYTES + length);
        reservedAt = -1;
        return seq;
    }

    public void cancelData() {
        reservedAt = -1;
        Segment seg = segments.peekLast();
        if (seg != null && seg.used == 0) {
            segments.pollLast();
            freeSegment(seg);
        }
    }

    /**
     * A slot for one whole sequenced control frame of {@code frameBytes}, positioned at its start and
     * limited to its end; encode it with sequence offset {@link #head()} and call {@link #commitFrame}.
     * Returns null when even the control reserve is full.
     */
    public ByteBuffer reserveFrame(int frameBytes) {
        if (reservedAt >= 0) {
            throw new IllegalStateException("a data reservation is open");
        }
        Segment seg = segments.peekLast();
        if (seg == null || seg.room() < frameBytes) {
            if (segments.size() >= maxSegments) {
                return null;
            }
            seg = addSegment(true);
        }
        seg.writer.limit(seg.used + frameBytes).position(seg.used);
        return seg.writer;
    }

    public void commitFrame(int frameBytes) {
        Segment seg = segments.peekLast();
        if (seg.writer.position() != seg.used + frameBytes) {
            throw new IllegalStateException("frame encoded " + (seg.writer.position() - seg.used) + " bytes, not " + frameBytes);
        }
        advance(seg, frameBytes);
    }

    private void advance(Segment seg, int bytes) {
        seg.used += bytes;
        head += bytes;
    }

    /**
     * A new last segment, or null when it is one beyond the minimum for data and the agent's budget has no
     * room. Control frames are never refused by the budget (an owed WINDOW_UPDATE or FIN must not wait for
     * another session's memory); they are bounded by the buffer's capacity and by the streams: a few per
     * stream, and at most {@code StreamAdmission.MAX_REFUSALS_OWED} refusals beyond the stream limit.
     */
    private Segment addSegment(boolean control) {
        if (budget != null && segments.size() >= MINIMUM_SEGMENTS) {
            if (control) {
                budget.take(pool.bufferSize());
            } else if (!budget.tryTake(pool.bufferSize())) {
                return null;
            }
        }
        Segment seg = new Segment(pool.acquire(), head);
        segments.addLast(seg);
        return seg;
    }

    private void freeSegment(Segment seg) {
        if (budget != null && segments.size() >= MINIMUM_SEGMENTS) { // (already removed) it was one beyond the minimum
            budget.giveBack(pool.bufferSize());
        }
        pool.release(seg.memory);
    }

    /** True when data waits for the agent's budget rather than for acknowledgements of this session's own bytes. */
    public boolean waitsForBudget() {
        return budget != null && hasDataRoom() && segments.size() >= MINIMUM_SEGMENTS;
    }

    /** True when a data slot can be reserved now: room of its own, and the budget's when it must grow. */
    public boolean canTakeData() {
        if (!hasDataRoom()) {
            return false;
        }
        Segment last = segments.peekLast();
        boolean fitsInLast = last != null && last.room() >= Wire.HEADER_BYTES + MIN_DATA_SLOT;
        return fitsInLast || budget == null || segments.size() < MINIMUM_SEGMENTS || budget.canGrow();
    }


    /**
     * Records that the peer has everything before {@code offset}, a frame boundary, and frees the segments
     * wholly before it; not past a frame a link is halfway through writing ({@link #pin}), which is freed
     * when the pin goes. Out-of-date acknowledgements (at or below the current one) change nothing.
     *
     * @throws IllegalArgumentException when {@code offset} is beyond anything made
     */
    public void acknowledge(long offset) {
        if (offset > head) {
            throw new IllegalArgumentException("acknowledged " + offset + " but only " + head + " was made");
        }
        highestAck = Math.max(highestAck, offset);
        freeAcknowledged();
    }

    /**
     * The writer {@code owner} is halfway through the frame starting at {@code frameStart}: its bytes must stay,
     * even when the peer acknowledges past it (it got them through another link), until the frame is out.
     */
    public void pin(Object owner, long frameStart) {
        pins.pin(owner, frameStart);
    }

    /** {@code owner}'s frame is out (or it no longer carries the session): what the peer acknowledged is freed. */
    public void unpin(Object owner) {
        if (pins.unpin(owner)) {
            freeAcknowledged();
        }
    }

    private void freeAcknowledged() {
        long to = pins.limit(highestAck);
        if (to <= acked) {
            return;
        }
        acked = to;
        Segment first;
        while ((first = segments.peekFirst()) != null && first.end() <= acked && (first.used > 0 || acked == head)) {
            if (first == segments.peekLast() && reservedAt >= 0) {
                break;
            }
            segments.pollFirst();
            freeSegment(first);
        }
        if (onRoomFreed != null) {
            onRoomFreed.run();
        }
    }

    /**
     * Fills {@code out} from {@code outOffset} with read views of the bytes in [from, to); returns how many
     * views it used (at most {@code maxViews}). The views stay valid until the next call.
     */
    public int views(long from, long to, ByteBuffer[] out, int outOffset, int maxViews) {
        if (from < acked || to > head || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") outside [" + acked + ", " + head + ")");
        }
        int count = 0;
        Iterator<Segment> it = segments.iterator();
        while (it.hasNext() && count < maxViews && from < to) {
            Segment seg = it.next();
            if (seg.end() <= from) {
                continue;
            }
            int begin = (int) (from - seg.start);
            int end = (int) (Math.min(to, seg.end()) - seg.start);
            seg.reader.limit(end).position(begin);
            out[outOffset + count++] = seg.reader;
            from = seg.start + end;
        }
        return count;
    }

    /** Size of the frame starting at {@code offset}, which must be a frame start in [acked, head). */
    public int frameBytesAt(long offset) {
        Segment seg = segmentHolding(offset);
        return Wire.frameBytesAt(seg.memory, (int) (offset - seg.start));
    }

    /** The TRACE line of the frame starting at {@code offset} ({@link Wire#frameLogAt}). */
    public String describeFrameAt(long offset) {
        Segment seg = segmentHolding(offset);
        return Wire.frameLogAt(seg.memory, (int) (offset - seg.start));
    }

    /** True when a frame starts at {@code offset} (or it is {@link #head()}); walks one segment at most. */
    public boolean isFrameBoundary(long offset) {
        if (offset == head) {
            return true;
        }
        if (offset < acked || offset > head) {
            return false;
        }
        Segment seg = segmentHolding(offset);
        long at = seg.start;
        while (at < offset) {
            at += Wire.frameBytesAt(seg.memory, (int) (at - seg.start));
        }
        return at == offset;
    }

    private Segment segmentHolding(long offset) {
        for (Segment seg : segments) {
            if (offset >= seg.start && offset < seg.end()) {
                return seg;
            }
        }
        throw new IllegalArgumentException("offset " + offset + " not held (acked " + acked + ", head " + head + ")");
    }

    /** Returns every segment to the pool: the session is over. */
    public void release() {
        Segment seg;
        while ((seg = segments.pollFirst()) != null) {
            freeSegment(seg);
        }
        reservedAt = -1;
    }
}
