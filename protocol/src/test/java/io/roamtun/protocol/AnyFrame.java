package io.roamtun.protocol;

import java.nio.ByteBuffer;

/**
 * A frame handler that accepts everything and does nothing: tests override what they look for. Shared
 * with the other modules' tests through this module's test jar.
 */
public class AnyFrame implements FrameHandler {
    @Override public boolean admitSequenced(FrameType type, long seq, int frameBytes) { return true; }
    @Override public void onHello(Hello hello) {}
    @Override public void onWelcome(Welcome welcome) {}
    @Override public void onOpen(int streamId, String service) {}
    @Override public void onOpenOk(int streamId) {}
    @Override public void onOpenFail(int streamId, ErrorCode code, String message) {}
    @Override public void onData(int streamId, ByteBuffer payload) {}
    @Override public void onFin(int streamId) {}
    @Override public void onReset(int streamId, ErrorCode code) {}
    @Override public void onWindowUpdate(int streamId, int increment) {}
    @Override public void onPing(long opaque) {}
    @Override public void onPong(long opaque) {}
    @Override public void onAck(long receivedOffset) {}
    @Override public void onGoAway(ErrorCode code, String message) {}
    @Override public void onResume(Resume resume) {}
    @Override public void onResumed(long receivedOffset, long sentOffset, byte[] nextNonce) {}
    @Override public void onDatagram(int flowId, ByteBuffer payload) {}
}
