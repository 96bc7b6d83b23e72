package io.roamtun.engine.resend;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;

/** Where to start resending when the peer says how far it has received: the arithmetic of a resume. */
final class ResendPoint {
    private ResendPoint() {}

    /**
     * The offset to resend from. A peer's "received" may be older than an ACK it sent since (a RESUME
     * made while the old link still delivered, in a make-before-break move); what it acknowledged it has,
     * so resending starts at the later of the two, and the duplicates that remain are skipped by its
     * sequence check. A peer claiming more than was ever sent, or an offset inside a frame, is lying.
     */
    static long of(ReplayBuffer replay, long peerReceived) throws ProtocolException {
        long from = Math.max(peerReceived, replay.highestAck());
        if (peerReceived < 0 || peerReceived > replay.head() || !replay.isFrameBoundary(from)) {
            throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "peer has received up to " + peerReceived
                    + ", but this side can resend only from " + replay.acked() + " to " + replay.head());
        }
        return from;
    }
}
