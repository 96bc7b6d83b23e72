package io.roamtun.engine.link;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.LinkFrameHandler;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Welcome;
import java.nio.ByteBuffer;

/**
 * The frames that belong to the link itself: the handshake frames, which go to the link's owner
 * ({@link LinkListener}) and only while the link is in its handshake; PING, sent when {@link LinkLiveness}
 * says and answered with PONG; PONG, a round trip; GOAWAY, the peer's goodbye.
 */
final class LinkControlFrames implements LinkFrameHandler, LinkLiveness.Events {
    private final Link link;
    private final LinkListener listener;
    private final LinkWriter writer;
    private final LinkLiveness liveness;

    LinkControlFrames(Link link, LinkListener listener, LinkWriter writer, EventLoop loop, LinkSettings settings) {
        this.link = link;
        this.listener = listener;
        this.writer = writer;
        this.liveness = new LinkLiveness(loop, settings, this);
    }

    LinkLiveness liveness() {
        return liveness;
    }

    // ---- the handshake frames this side sends (the link's first frames: the control queue has room) ----

    void queueHello(Hello hello) {
        FrameEncoder.hello(slotOnFreshLink(FrameEncoder.helloSize(hello)), hello);
    }

    void queueResume(Resume resume) {
        FrameEncoder.resume(slotOnFreshLink(FrameEncoder.resumeSize(resume)), resume);
    }

    void queueResumed(long receivedOffset, long sentOffset, byte[] nextNonce) {
        FrameEncoder.resumed(slotOnFreshLink(FrameEncoder.RESUMED_FRAME_BYTES), receivedOffset, sentOffset, nextNonce);
    }

    void queueWelcome(Welcome welcome) {
        FrameEncoder.welcome(slotOnFreshLink(FrameEncoder.welcomeSize(welcome)), welcome);
    }

    private ByteBuffer slotOnFreshLink(int bytes) {
        ByteBuffer slot = writer.controlSlot(bytes);
        if (slot == null) {
            throw new IllegalStateException("control queue full on a fresh link");
        }
        return slot;
    }

    @Override
    public boolean sendPing(long now) {
        ByteBuffer slot = writer.controlSlot(FrameEncoder.LONG_FRAME_BYTES);
        if (slot != null) {
            FrameEncoder.ping(slot, now);
            link.requestFlush();
        }
        return slot != null;
    }

    @Override
    public void quiet(long quietMillis) {
        if (link.state() == LinkState.ESTABLISHED) {
            listener.onLinkQuiet(link, quietMillis);
        }
    }

    @Override
    public void dead(long quietMillis) {
        link.declareDead(quietMillis);
    }

    @Override
    public void onHello(Hello hello) throws ProtocolException {
        listener.onHello(link, requireHandshaking(hello, "HELLO"));
    }

    @Override
    public void onWelcome(Welcome welcome) throws ProtocolException {
        listener.onWelcome(link, requireHandshaking(welcome, "WELCOME"));
    }

    @Override
    public void onResume(Resume resume) throws ProtocolException {
        listener.onResume(link, requireHandshaking(resume, "RESUME"));
    }

    @Override
    public void onResumed(long receivedOffset, long sentOffset, byte[] nextNonce) throws ProtocolException {
        requireHandshaking(null, "RESUMED");
        listener.onResumed(link, receivedOffset, sentOffset, nextNonce);
    }

    private <T> T requireHandshaking(T frame, String type) throws ProtocolException {
        if (link.state() != LinkState.HANDSHAKING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " on an established link");
        }
        return frame;
    }

    @Override
    public void onPing(long opaque) {
        ByteBuffer slot = writer.controlSlot(FrameEncoder.LONG_FRAME_BYTES);
        if (slot != null) { // a peer that floods PINGs faster than we write loses the surplus PONGs
            FrameEncoder.pong(slot, opaque);
            link.requestFlush();
        }
    }

    @Override
    public void onPong(long opaque) {
        liveness.pong(opaque);
    }

    @Override
    public void onPath(io.roamtun.protocol.PathControl path) throws ProtocolException {
        link.onPath(path);
    }

    @Override
    public void onMoving() {
        if (link.state() == LinkState.ESTABLISHED) { // (a hint: before the handshake it means nothing)
            listener.onMoving(link);
        }
    }

    @Override
    public void onGoAway(ErrorCode code, String message) {
        link.peerSaidGoodbye(code, message);
    }
}
