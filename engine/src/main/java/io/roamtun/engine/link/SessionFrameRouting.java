package io.roamtun.engine.link;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.SessionFrameHandler;
import java.nio.ByteBuffer;

/**
 * Where a link's session frames go. The decoder is handed this one router for a whole batch, and a batch may
 * hold the handshake's end (a RESUMED) and the session's first frames behind it: so the router is switched
 * in place ({@link #to}). Before the handshake frames are refused; after the link's end they are dropped.
 */
final class SessionFrameRouting implements SessionFrameHandler {
    /** The session's frame handler; null before the handshake and after the link's end. */
    private SessionFrameHandler session;
    private boolean ended;
    /** The handler that heard this batch's beforeBatch: it hears its afterBatch, even if routing changed meanwhile. */
    private SessionFrameHandler inBatch;

    /** From now on, the session's frames go to {@code frames}. */
    void to(SessionFrameHandler frames) {
        session = frames;
    }

    /** The link is closing or closed: frames still in its buffer are dropped (the session went elsewhere). */
    void closed() {
        session = null;
        ended = true;
    }

    /** Where a frame of {@code type} goes: the session, or null (dropped) once the link has ended. */
    private SessionFrameHandler route(FrameType type) throws ProtocolException {
        if (session == null && !ended) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " before the handshake completed");
        }
        return session;
    }

    @Override
    public boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException {
        SessionFrameHandler to = route(type);
        return to != null && to.admitSequenced(type, seq, frameBytes); // (false: the frame is skipped)
    }

    @Override
    public Placement place(FrameType type, long seq, int frameBytes) throws ProtocolException {
        SessionFrameHandler to = route(type);
        return to == null ? Placement.SKIP : to.place(type, seq, frameBytes);
    }

    @Override
    public void hold(long seq, ByteBuffer frame) throws ProtocolException {
        route(FrameType.DATA).hold(seq, frame); // (only ever after place said HOLD, so with a session)
    }

    @Override
    public void beforeBatch() {
        inBatch = session;
        if (inBatch != null) {
            inBatch.beforeBatch();
        }
    }

    @Override
    public void afterBatch() {
        SessionFrameHandler to = inBatch;
        inBatch = null;
        if (to != null) {
            to.afterBatch();
        }
    }

    // A sequenced frame reaches the methods below only once admitted, so only with a session.

    @Override
    public void onOpen(int streamId, String service) throws ProtocolException {
        route(FrameType.OPEN).onOpen(streamId, service);
    }

    @Override
    public void onOpenOk(int streamId) throws ProtocolException {
        route(FrameType.OPEN_OK).onOpenOk(streamId);
    }

    @Override
    public void onOpenFail(int streamId, ErrorCode code, String message) throws ProtocolException {
        route(FrameType.OPEN_FAIL).onOpenFail(streamId, code, message);
    }

    @Override
    public void onData(int streamId, ByteBuffer payload) throws ProtocolException {
        route(FrameType.DATA).onData(streamId, payload);
    }

    @Override
    public void onFin(int streamId) throws ProtocolException {
        route(FrameType.FIN).onFin(streamId);
    }

    @Override
    public void onReset(int streamId, ErrorCode code) throws ProtocolException {
        route(FrameType.RESET).onReset(streamId, code);
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) throws ProtocolException {
        route(FrameType.WINDOW_UPDATE).onWindowUpdate(streamId, increment);
    }

    @Override
    public void onAck(long receivedOffset) throws ProtocolException {
        SessionFrameHandler to = route(FrameType.ACK);
        if (to != null) {
            to.onAck(receivedOffset);
        }
    }

    @Override
    public void onDatagram(int flowId, ByteBuffer payload) throws ProtocolException {
        SessionFrameHandler to = route(FrameType.DATAGRAM);
        if (to != null) {
            to.onDatagram(flowId, payload);
        }
    }
}
