package io.roamtun.engine.resend;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.Timer;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.SessionFrameHandler;
import java.util.concurrent.TimeUnit;

/**
 * The receiver's half of the session sequence: how far the peer's frames have arrived ({@link #received}),
 * which frames are new and which are replays, and when that is said back to the peer with ACK.
 */
public final class AckClock {
    /**
     * An ACK goes out at the latest after this many bytes received: half a replay segment (256 KiB). Each
     * stand-alone ACK is a TLS record, a write and a wake-up of the peer's loop, so not more often; and not
     * less, since a sender held to its two-segment minimum by the memory budget frees room only when an ACK
     * passes a segment's end, and must not wait for the timer below to get it ...
     */
    static final long ACK_EVERY_BYTES = 128 * 1024;
    /** ... or this long after the first unacknowledged byte. */
    static final long ACK_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final EventLoop loop;
    /** Asks the link carrying the session to write (it takes the due ACK with its next write). */
    private final Runnable requestFlush;
    private long received;
    /** What the last ACK said; -1 to say it again on the next write (a new link). */
    private long ackSent;
    private Timer timer;

    public AckClock(EventLoop loop, Runnable requestFlush) {
        this.loop = loop;
        this.requestFlush = requestFlush;
    }

    /** Offset up to which the peer's sequence has arrived: what RESUME / RESUMED / ACK say. */
    public long received() {
        return received;
    }

    /**
     * Places a sequenced frame of the peer: true when it is the next one, false for a replayed frame this
     * side already has (the decoder skips it); anything else is a SEQUENCE_ERROR.
     */
    public boolean admit(FrameType type, long seq, int frameBytes) throws ProtocolException {
        if (seq == received) {
            received += frameBytes;
            return true;
        }
        if (seq >= 0 && seq <= received - frameBytes) {
            return false;
        }
        throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, type + " at offset " + seq + " but " + received + " was expected");
    }

    /**
     * As {@link #admit}, for a session with several links (MULTIPATH): a frame ahead of {@code received}
     * within {@code reorder}'s window is to be held (HOLD) instead of refused.
     */
    public SessionFrameHandler.Placement place(FrameType type, long seq, int frameBytes, ReorderBuffer reorder) throws ProtocolException {
        if (reorder != null && reorder.withinWindow(seq, frameBytes, received)) {
            return SessionFrameHandler.Placement.HOLD;
        }
        return admit(type, seq, frameBytes) ? SessionFrameHandler.Placement.TAKE : SessionFrameHandler.Placement.SKIP;
    }

    /** After a batch of frames was read: an ACK is due now after {@link #ACK_EVERY_BYTES}, else within the delay. */
    public void afterInboundBatch() {
        long unacked = received - ackSent;
        if (unacked >= ACK_EVERY_BYTES) {
            requestFlush.run();
        } else if (unacked > 0 && (timer == null || !timer.isPending())) {
            timer = loop.schedule(ACK_DELAY_NANOS, requestFlush);
        }
    }

    /**
     * A frame nobody waits for (an OPEN_OK: the opener sends its DATA without waiting for it) is queued: it
     * leaves with the link's next write, at the latest after the ACK delay, so it costs no write, and no
     * wake-up of the peer, of its own.
     */
    public void writeWithinDelay() {
        if (timer == null || !timer.isPending()) {
            timer = loop.schedule(ACK_DELAY_NANOS, requestFlush);
        }
    }

    /** The ACK to write now, or -1 when none is due; taking it marks it sent. */
    public long takeDueAck() {
        if (received == ackSent) {
            return -1;
        }
        ackSent = received;
        if (timer != null) {
            timer.cancel();
        }
        return received;
    }

    /** The session moved to a new link: an ACK sent on the old one may have been lost with it, so say it again. */
    public void sayAgainOnNewLink() {
        ackSent = -1;
    }

    public void stop() {
        if (timer != null) {
            timer.cancel();
        }
    }
}
