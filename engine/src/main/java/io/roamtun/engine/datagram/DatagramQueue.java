package io.roamtun.engine.datagram;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.IntFunction;

/**
 * A session's DATAGRAM frames waiting for room in the link's control run, bounded apart from the streams'
 * bytes so that a datagram never waits behind bulk data and never holds a stream up. While a link carries
 * the session, a datagram that finds the queue full is dropped (UDP apps expect loss, not delay); while the
 * session is suspended at most {@link #HELD_WHILE_AWAY} are kept, the oldest dropped first, since a burst of
 * stale datagrams after a resume helps no UDP app. Every drop is counted. Loop thread.
 */
public final class DatagramQueue {
    /** Frames queued at most while a link carries the session. */
    public static final int MAX_FRAMES = 256;
    /** Their bytes at most (four of the largest datagrams, or many small ones). */
    public static final int MAX_BYTES = 256 * 1024;
    /** Datagrams kept while the session has no link: the newest of them. */
    public static final int HELD_WHILE_AWAY = 32;

    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private int bytes;
    private long droppedFull;
    private long droppedAway;

    /** Queues one encoded frame; false when it was dropped (the queue was full and a link is up). */
    public boolean offer(byte[] frame, boolean linkUp) {
        if (linkUp && (frames.size() >= MAX_FRAMES || bytes + frame.length > MAX_BYTES)) {
            droppedFull++;
            return false;
        }
        frames.addLast(frame);
        bytes += frame.length;
        if (!linkUp) {
            trimToHeld();
        }
        return true;
    }

    /** The session lost its link: only the newest {@link #HELD_WHILE_AWAY} stay. */
    public void linkLost() {
        trimToHeld();
    }

    private void trimToHeld() {
        while (frames.size() > HELD_WHILE_AWAY) {
            bytes -= frames.removeFirst().length;
            droppedAway++;
        }
    }

    /** Moves frames, oldest first, into the slots {@code slot} gives (null: no room now); the count moved. */
    public int drainInto(IntFunction<ByteBuffer> slot) {
        int moved = 0;
        for (byte[] frame = frames.peekFirst(); frame != null; frame = frames.peekFirst()) {
            ByteBuffer room = slot.apply(frame.length);
            if (room == null) {
                break;
            }
            room.put(frame);
            frames.removeFirst();
            bytes -= frame.length;
            moved++;
        }
        return moved;
    }

    public void clear() {
        frames.clear();
        bytes = 0;
    }

    public int size() {
        return frames.size();
    }

    public int bytes() {
        return bytes;
    }

    /** Dropped because the queue was full while a link was up. */
    public long droppedFull() {
        return droppedFull;
    }

    /** Dropped, oldest first, beyond what a suspended session keeps. */
    public long droppedWhileAway() {
        return droppedAway;
    }
}
