package io.roamtun.engine.session;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.SessionFrameHandler;
import java.nio.ByteBuffer;

/** Hands every session frame to another handler; tests override the one they watch. */
class DelegatingHandler implements SessionFrameHandler {
    private final SessionFrameHandler to;

    DelegatingHandler(SessionFrameHandler to) {
        this.to = to;
    }

    @Override public boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException { return to.admitSequenced(type, seq, frameBytes); }
    @Override public Placement place(FrameType type, long seq, int frameBytes) throws ProtocolException { return to.place(type, seq, frameBytes); }
    @Override public void hold(long seq, ByteBuffer frame) throws ProtocolException { to.hold(seq, frame); }
    @Override public void onOpen(int streamId, String service) throws ProtocolException { to.onOpen(streamId, service); }
    @Override public void onOpenOk(int streamId) throws ProtocolException { to.onOpenOk(streamId); }
    @Override public void onOpenFail(int streamId, ErrorCode code, String message) throws ProtocolException { to.onOpenFail(streamId, code, message); }
    @Override public void onData(int streamId, ByteBuffer payload) throws ProtocolException { to.onData(streamId, payload); }
    @Override public void onFin(int streamId) throws ProtocolException { to.onFin(streamId); }
    @Override public void onReset(int streamId, ErrorCode code) throws ProtocolException { to.onReset(streamId, code); }
    @Override public void onWindowUpdate(int streamId, int increment) throws ProtocolException { to.onWindowUpdate(streamId, increment); }
    @Override public void onAck(long receivedOffset) throws ProtocolException { to.onAck(receivedOffset); }
    @Override public void onDatagram(int flowId, ByteBuffer payload) throws ProtocolException { to.onDatagram(flowId, payload); }
    @Override public void beforeBatch() { to.beforeBatch(); }
    @Override public void afterBatch() { to.afterBatch(); }
}
