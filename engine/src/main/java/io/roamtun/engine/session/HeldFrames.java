package io.roamtun.engine.session;

import io.roamtun.engine.resend.AckClock;
import io.roamtun.engine.resend.ReorderBuffer;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.LinkFrameHandler;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionFrameHandler;
import io.roamtun.protocol.Welcome;
import java.nio.ByteBuffer;

/**
 * MULTIPATH, the receiving side: frames that arrive ahead of their place (another link still brings those
 * before them) are held in a {@link ReorderBuffer}, and handed on, decoded again from their copy, as soon as
 * they are next. Nothing reaches the streams out of order, and a frame that came by both links reaches them once.
 */
final class HeldFrames {
    private final ReorderBuffer reorder = new ReorderBuffer();
    private final FrameDecoder decoder;
    private final AckClock acks;
    private boolean taking;

    HeldFrames(Role local, int maxPayload, AckClock acks) {
        this.decoder = new FrameDecoder(local, maxPayload);
        this.acks = acks;
    }

    SessionFrameHandler.Placement place(FrameType type, long seq, int frameBytes) throws ProtocolException {
        return acks.place(type, seq, frameBytes, reorder);
    }

    void hold(long seq, ByteBuffer frame) throws ProtocolException {
        reorder.hold(seq, frame, acks.received());
    }

    /** Hands every held frame that is next in the sequence to {@code target}, in order. */
    void takeNextInto(SessionFrameHandler target) throws ProtocolException {
        if (taking) {
            return; // (the frames being handed on come back through target.place)
        }
        taking = true;
        try {
            ByteBuffer next;
            while ((next = reorder.takeNext(acks.received())) != null) {
                decoder.decode(next, SEQUENCED_ONLY, target);
            }
        } finally {
            taking = false;
        }
    }

    long bytesHeld() {
        return reorder.bytesHeld();
    }

    long framesHeldEver() {
        return reorder.framesHeldEver();
    }

    /** Held frames are sequenced frames: none of a link's own ever reaches this. */
    private static final LinkFrameHandler SEQUENCED_ONLY = new LinkFrameHandler() {
        private ProtocolException notHere() {
            return new ProtocolException(ErrorCode.INTERNAL_ERROR, "a link frame among held sequenced frames");
        }
        @Override public void onHello(Hello hello) throws ProtocolException { throw notHere(); }
        @Override public void onWelcome(Welcome welcome) throws ProtocolException { throw notHere(); }
        @Override public void onResume(Resume resume) throws ProtocolException { throw notHere(); }
        @Override public void onResumed(long received, long sent, byte[] nonce) throws ProtocolException { throw notHere(); }
        @Override public void onPing(long opaque) throws ProtocolException { throw notHere(); }
        @Override public void onPong(long opaque) throws ProtocolException { throw notHere(); }
        @Override public void onGoAway(ErrorCode code, String message) throws ProtocolException { throw notHere(); }
    };
}
