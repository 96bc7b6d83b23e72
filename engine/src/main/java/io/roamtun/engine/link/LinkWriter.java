package io.roamtun.engine.link;

import io.roamtun.engine.transport.LinkTransport;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one link sends: its own unsequenced control frames (PING, PONG, ACK, GOAWAY, handshake)
 * and the session's sequenced frames read from the replay buffer at a cursor. Control frames jump the
 * queue, but only at a frame boundary of the replay stream, so a PONG is not stuck behind megabytes of
 * queued DATA and never lands inside a half-written frame. All of it goes out in one gathering write.
 */
final class LinkWriter {
    private static final Logger log = LoggerFactory.getLogger(LinkWriter.class);
    /** Control frames are small and few (one ACK, PONGs for a peer's PINGs, one GOAWAY). */
    static final int CONTROL_CAPACITY = 16 * 1024;
    /** With datagrams (UDP) the control run grows once to hold two of the largest beside the control frames. */
    static final int CONTROL_CAPACITY_WITH_DATAGRAMS = CONTROL_CAPACITY + 2 * Wire.MAX_FRAME_BYTES;
    /** Control room datagrams never take, so an ACK, a PONG or a GOAWAY always fits. */
    private static final int CONTROL_RESERVE = 2 * 1024;
    /** Views per gathering write: the control run plus this many replay segments. */
    private static final int MAX_VIEWS = 17;

    /** DONE: all written; BLOCKED: the socket is full (wait for writable); WAITING: the transport waits for the peer (a handshake). */
    enum Result { DONE, BLOCKED, WAITING }

    private final LinkTransport transport;
    private final String name;
    private ByteBuffer control = ByteBuffer.allocateDirect(CONTROL_CAPACITY);
    private ByteBuffer controlView = control.duplicate();
    private final ByteBuffer[] views = new ByteBuffer[MAX_VIEWS];
    private int controlRead;
    /** Control bytes up to here have had their TRACE line. */
    private int controlTraced;

    private ReplayBuffer replay;
    /** Offset of the next replay byte to write. */
    private long cursor;
    /** End of the frame the cursor is in; equal to the cursor at a frame boundary. */
    private long frameEnd;
    /** Start of the frame the cursor is in (when mid-frame). */
    private long frameStart;
    /** Whether this writer sends the session's frames (its link carries the session): only then does it pin. */
    private boolean carrying;
    /** Which of the session's frames this link writes (all of them, but for a link among several). */
    private ReplayShare share;
    /** How far the share let this link write, from its last frame boundary. */
    private long shareEnd;
    /** Queues a control frame that can be made only once the transport's handshake is done; null when none waits. */
    private HandshakeDone afterHandshake;

    /** Makes a frame that needs the finished transport handshake (a RESUME bound to the connection). */
    @FunctionalInterface
    interface HandshakeDone {
        void run() throws IOException;
    }

    LinkWriter(LinkTransport transport, String name) {
        this.transport = transport;
        this.name = name;
    }

    /** A slot for one control frame of {@code frameBytes}, or null when the control queue is full. */
    ByteBuffer controlSlot(int frameBytes) {
        traceControl();
        if (control.remaining() < frameBytes && controlRead > 0) {
            int pending = control.position() - controlRead;
            controlView.limit(control.position()).position(controlRead);
            control.clear();
            control.put(controlView);
            controlRead = 0;
            controlTraced = control.position();
            if (pending != control.position()) {
                throw new IllegalStateException("control compaction lost bytes");
            }
        }
        if (control.remaining() < frameBytes) {
            return null;
        }
        return control;
    }

    /**
     * A slot for one DATAGRAM frame of {@code frameBytes} in the control run (so it jumps the streams' bytes
     * at the next frame boundary), leaving room for control frames; null when there is none now.
     */
    ByteBuffer datagramSlot(int frameBytes) {
        ByteBuffer slot = controlSlot(frameBytes + CONTROL_RESERVE);
        if (slot == null && control.capacity() < CONTROL_CAPACITY_WITH_DATAGRAMS) {
            ByteBuffer larger = ByteBuffer.allocateDirect(CONTROL_CAPACITY_WITH_DATAGRAMS);
            traceControl();
            controlView.limit(control.position()).position(controlRead);
            larger.put(controlView);
            control = larger;
            controlView = larger.duplicate();
            controlRead = 0;
            controlTraced = control.position();
            slot = controlSlot(frameBytes + CONTROL_RESERVE);
        }
        return slot;
    }

    /** Runs {@code step} (which queues a control frame) at the first flush after the transport's handshake. */
    void afterHandshake(HandshakeDone step) {
        afterHandshake = step;
    }

    /** Starts (or restarts) sending the session's frames from {@code offset}, a frame start. */
    void sendReplayFrom(ReplayBuffer replay, long offset) {
        sendReplayFrom(replay, offset, ReplayShare.all(replay));
    }

    /** As {@link #sendReplayFrom(ReplayBuffer, long)}, writing the frames {@code share} gives this link. */
    void sendReplayFrom(ReplayBuffer replay, long offset, ReplayShare share) {
        this.share = share;
        this.shareEnd = offset;
        this.replay = replay;
        this.cursor = offset;
        this.frameEnd = offset;
        this.frameStart = offset;
        this.carrying = true;
    }

    /** The link no longer carries the session: it holds none of its bytes back ({@link ReplayBuffer#pin}). */
    void stopCarrying() {
        carrying = false;
        if (replay != null) {
            replay.unpin(this);
        }
    }

    /**
     * At a frame boundary, skips what the peer acknowledged beyond the cursor: it got those frames through
     * the link before, in a make-before-break move, and must not get them twice.
     */
    private void skipAcknowledged() {
        if (replay == null || cursor != frameEnd) {
            return;
        }
        long next = Math.max(share.from(cursor), replay.highestAck());
        if (next != cursor) {
            cursor = frameEnd = frameStart = next;
        }
        shareEnd = share.until(cursor);
    }

    /**
     * What this link writes of the session's frames changes: it finishes the frame it is in and then asks its
     * share again (what it was let write before may belong to another link now). Returns the end of that
     * frame: everything before it goes out on this link.
     */
    long shareChanged() {
        shareEnd = frameEnd;
        return Math.max(frameEnd, cursor);
    }

    /** Offset up to which the session's frames went out on this link. */
    long sentOffset() {
        return cursor;
    }

    boolean hasPending(boolean includeReplay) {
        return afterHandshake != null || control.position() > controlRead || transport.hasBufferedOutput()
                || (includeReplay && replay != null && cursor < replay.head()); // (a link among several may find nothing its own)
    }

    /** Writes until everything is out or the socket is full. */
    Result flush(boolean includeReplay) throws IOException {
        if (!transport.flushBuffered()) {
            return Result.BLOCKED;
        }
        if (transport.need() != LinkTransport.Need.NOTHING) {
            return Result.WAITING;
        }
        if (afterHandshake != null) {
            HandshakeDone step = afterHandshake;
            afterHandshake = null;
            step.run();
        }
        while (true) {
            skipAcknowledged();
            int count = 0;
            long wanted = 0;
            boolean atBoundary = cursor == frameEnd;
            int controlBytes = control.position() - controlRead;
            boolean sendControl = controlBytes > 0 && atBoundary;
            if (sendControl) {
                controlView.limit(control.position()).position(controlRead);
                views[count++] = controlView;
                wanted += controlBytes;
            }
            if (replay != null && (includeReplay || !atBoundary)) {
                // Closing (no replay wanted) still finishes a half-written frame, so the GOAWAY behind it is whole.
                // An ACK beyond the frame also stops the write at its end: what follows, the peer has.
                boolean stopAtFrameEnd = controlBytes > 0 && !atBoundary || !includeReplay || replay.highestAck() > cursor;
                long to = stopAtFrameEnd ? frameEnd : Math.max(frameEnd, shareEnd);
                if (cursor < replay.acked()) {
                    // Only a closing link gets here: the session moved on and the peer acknowledged the
                    // frame through the new link, so its bytes are gone and the peer does not need them.
                    throw new IOException("the rest of a half-written frame was acknowledged through another link");
                }
                if (to > cursor) {
                    int n = replay.views(cursor, to, views, count, MAX_VIEWS - count);
                    for (int i = count; i < count + n; i++) {
                        wanted += views[i].remaining();
                    }
                    count += n;
                }
            }
            if (count == 0) {
                return Result.DONE;
            }
            traceControl();
            long written = transport.write(views, 0, count);
            if (sendControl) {
                int fromControl = (int) Math.min(written, controlBytes);
                controlRead += fromControl;
                if (controlRead == control.position()) {
                    control.clear();
                    controlRead = 0;
                    controlTraced = 0;
                }
                written -= fromControl;
            }
            advanceCursor(written);
            if (written > 0) {
                share.wrote(written);
            }
            if (written < wanted - (sendControl ? controlBytes : 0) || (sendControl && control.position() > controlRead)) {
                return Result.BLOCKED;
            }
            if (!transport.flushBuffered()) {
                return Result.BLOCKED;
            }
        }
    }

    private void advanceCursor(long bytes) {
        if (bytes <= 0) {
            return;
        }
        cursor += bytes;
        while (frameEnd < cursor) {
            frameStart = frameEnd;
            int frameBytes = replay.frameBytesAt(frameEnd);
            if (frameBytes < Wire.HEADER_BYTES) {
                throw new IllegalStateException("replay buffer corrupt at " + frameEnd);
            }
            if (log.isTraceEnabled()) {
                log.trace("link {} {}", name, replay.describeFrameAt(frameEnd));
            }
            frameEnd += frameBytes;
        }
        if (carrying && cursor < frameEnd) {
            replay.pin(this, frameStart); // halfway through a frame: its bytes stay whatever the peer acknowledges
        } else if (carrying) {
            replay.unpin(this);
        }
    }

    /** One TRACE line per control frame queued since the last call (nothing when TRACE is off). */
    private void traceControl() {
        if (!log.isTraceEnabled()) {
            controlTraced = control.position();
            return;
        }
        while (controlTraced < control.position()) {
            log.trace("link {} {}", name, Wire.frameLogAt(control, controlTraced));
            controlTraced += Wire.frameBytesAt(control, controlTraced);
        }
    }
}
