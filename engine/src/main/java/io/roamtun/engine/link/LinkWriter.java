package io.roamtun.engine.link;

import io.roamtun.engine.buffer.ReplayBuffer;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Everything one link sends: its own unsequenced control frames (PING, PONG, ACK, GOAWAY, handshake)
 * and the session's sequenced frames read from the replay buffer at a cursor. Control frames jump the
 * queue, but only at a frame boundary of the replay stream, so a PONG is not stuck behind megabytes of
 * queued DATA and never lands inside a half-written frame. All of it goes out in one gathering write.
 */
final class LinkWriter {
    /** Control frames are small and few (one ACK, PONGs for a peer's PINGs, one GOAWAY). */
    static final int CONTROL_CAPACITY = 16 * 1024;
    /** Views per gathering write: the control run plus this many replay segments. */
    private static final int MAX_VIEWS = 17;

    /** DONE: all written; BLOCKED: the socket is full (wait for writable); WAITING: the transport waits for the peer (a handshake). */
    enum Result { DONE, BLOCKED, WAITING }

    private final LinkTransport transport;
    private final ByteBuffer control = ByteBuffer.allocateDirect(CONTROL_CAPACITY);
    private final ByteBuffer controlView = control.duplicate();
    private final ByteBuffer[] views = new ByteBuffer[MAX_VIEWS];
    private int controlRead;

    private ReplayBuffer replay;
    /** Offset of the next replay byte to write. */
    private long cursor;
    /** End of the frame the cursor is in; equal to the cursor at a frame boundary. */
    private long frameEnd;
    /** Start of the frame the cursor is in (when mid-frame). */
    private long frameStart;
    /**
     * An acknowledgement beyond a frame this link was halfway through writing, or -1: the frame's bytes
     * must stay until it is out, then the cursor skips to it and the replay buffer may free up to it.
     */
    private long heldAck = -1;

    LinkWriter(LinkTransport transport) {
        this.transport = transport;
    }

    /** A slot for one control frame of {@code frameBytes}, or null when the control queue is full. */
    ByteBuffer controlSlot(int frameBytes) {
        if (control.remaining() < frameBytes && controlRead > 0) {
            int pending = control.position() - controlRead;
            controlView.limit(control.position()).position(controlRead);
            control.clear();
            control.put(controlView);
            controlRead = 0;
            if (pending != control.position()) {
                throw new IllegalStateException("control compaction lost bytes");
            }
        }
        if (control.remaining() < frameBytes) {
            return null;
        }
        return control;
    }

    /** Starts (or restarts) sending the session's frames from {@code offset}, a frame start. */
    void sendReplayFrom(ReplayBuffer replay, long offset) {
        this.replay = replay;
        this.cursor = offset;
        this.frameEnd = offset;
        this.frameStart = offset;
        this.heldAck = -1;
    }

    /**
     * The peer acknowledged {@code ack}, a frame boundary, possibly beyond what this link sent (it got those
     * frames on the link before, in a make-before-break move): skip resending them. Returns how far the
     * replay buffer may be freed: up to {@code ack}, or only to the start of a frame this link is halfway
     * through writing; then the rest is held and {@link #takeHeldAck()} gives it once that frame is out.
     */
    long acknowledged(long ack) {
        if (ack <= cursor) {
            return ack;
        }
        if (cursor == frameEnd) {
            skipTo(ack);
            return ack;
        }
        heldAck = Math.max(heldAck, ack);
        return frameStart;
    }

    /**
     * A held acknowledgement (see {@link #acknowledged}) that may now free the replay buffer, because the
     * half-written frame is out, or -1. The cursor has skipped what it covers.
     */
    long takeHeldAck() {
        if (heldAck < 0) {
            return -1;
        }
        skipHeldAtBoundary();
        if (heldAck > cursor) {
            return -1; // still halfway through the frame
        }
        long ack = heldAck;
        heldAck = -1;
        return ack;
    }

    private void skipHeldAtBoundary() {
        if (heldAck > cursor && cursor == frameEnd) {
            skipTo(heldAck);
        }
    }

    private void skipTo(long offset) {
        cursor = offset;
        frameEnd = offset;
        frameStart = offset;
    }

    /** Offset up to which the session's frames went out on this link. */
    long sentOffset() {
        return cursor;
    }

    boolean hasPending(boolean includeReplay) {
        return control.position() > controlRead || transport.hasBufferedOutput()
                || (includeReplay && replay != null && cursor < replay.head());
    }

    /** Writes until everything is out or the socket is full. */
    Result flush(boolean includeReplay) throws IOException {
        if (!transport.flushBuffered()) {
            return Result.BLOCKED;
        }
        if (transport.need() != LinkTransport.Need.NOTHING) {
            return Result.WAITING;
        }
        while (true) {
            skipHeldAtBoundary(); // the peer has what follows the frame just finished: do not resend it
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
                // A held ACK also stops the write at the frame's end: what follows, the peer has.
                boolean stopAtFrameEnd = controlBytes > 0 && !atBoundary || !includeReplay || heldAck > cursor;
                long to = stopAtFrameEnd ? frameEnd : replay.head();
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
            long written = transport.write(views, 0, count);
            if (sendControl) {
                int fromControl = (int) Math.min(written, controlBytes);
                controlRead += fromControl;
                if (controlRead == control.position()) {
                    control.clear();
                    controlRead = 0;
                }
                written -= fromControl;
            }
            advanceCursor(written);
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
            frameEnd += frameBytes;
        }
    }
}
