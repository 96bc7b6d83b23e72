package io.roamtun.engine.resend;

import io.roamtun.protocol.Wire;

/** What an acknowledgement from the peer says, checked before it is applied ({@link ReplayBuffer#acknowledge}). */
public enum AckCheck {
    /** More than any before, at a frame boundary. */
    NEW,
    /** At or below an earlier one: nothing to do. */
    NOT_NEW,
    /** Beyond anything this side made: the peer is lying. */
    BEYOND_HEAD,
    /** Inside a frame: the peer is lying (it can only have received whole frames). */
    INSIDE_FRAME;

    /**
     * Checks the peer's acknowledgement of {@code offset} against {@code replay}. A new one must be a frame
     * boundary no later than the head; the walk starts at the highest one before, so each frame is walked
     * at most once over the session however the peer spaces its ACKs.
     */
    public static AckCheck of(ReplayBuffer replay, long offset) {
        long highest = replay.highestAck();
        if (offset == highest && replay.acked() < highest) {
            return NEW; // said again (after a move) while what it frees was held back: take it again
        }
        if (offset <= highest) {
            return NOT_NEW;
        }
        if (offset > replay.head()) {
            return BEYOND_HEAD;
        }
        long at = Math.max(highest, replay.acked());
        while (at < offset) {
            int bytes = replay.frameBytesAt(at);
            if (bytes < Wire.HEADER_BYTES) {
                throw new IllegalStateException("replay buffer corrupt at " + at);
            }
            at += bytes;
        }
        return at == offset ? NEW : INSIDE_FRAME;
    }
}
