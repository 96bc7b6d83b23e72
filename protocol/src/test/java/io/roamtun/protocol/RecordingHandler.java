package io.roamtun.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Writes each decoded frame down as one line, so tests compare what came out with what went in. */
class RecordingHandler implements FrameHandler {
    final List<String> frames = new ArrayList<>();
    private long pendingSeq = -1;

    private void add(String line) {
        frames.add((pendingSeq >= 0 ? "seq=" + pendingSeq + " " : "") + line);
        pendingSeq = -1;
    }

    @Override
    public boolean admitSequenced(FrameType type, long seq, int frameBytes) {
        pendingSeq = seq;
        return true;
    }

    @Override public void onHello(Hello hello) { add(hello.toString()); }
    @Override public void onWelcome(Welcome welcome) { add(welcome.toString()); }
    @Override public void onOpen(int streamId, String service) { add("OPEN " + streamId + " " + service); }
    @Override public void onOpenOk(int streamId) { add("OPEN_OK " + streamId); }
    @Override public void onOpenFail(int streamId, ErrorCode code, String message) { add("OPEN_FAIL " + streamId + " " + code + " " + message); }
    @Override public void onData(int streamId, ByteBuffer payload) { add("DATA " + streamId + " " + hex(payload)); }
    @Override public void onFin(int streamId) { add("FIN " + streamId); }
    @Override public void onReset(int streamId, ErrorCode code) { add("RESET " + streamId + " " + code); }
    @Override public void onWindowUpdate(int streamId, int increment) { add("WINDOW_UPDATE " + streamId + " " + increment); }
    @Override public void onPing(long opaque) { add("PING " + opaque); }
    @Override public void onPong(long opaque) { add("PONG " + opaque); }
    @Override public void onAck(long receivedOffset) { add("ACK " + receivedOffset); }
    @Override public void onGoAway(ErrorCode code, String message) { add("GOAWAY " + code + " " + message); }
    @Override public void onMoving() { add("MOVING"); }
    @Override public void onPath(PathControl path) { add(path.toString()); }
    @Override public void onResume(Resume resume) { add(resume.toString()); }
    @Override public void onResumed(long receivedOffset, long sentOffset, byte[] nextNonce) { add("RESUMED " + receivedOffset + " " + sentOffset + " " + java.util.HexFormat.of().formatHex(nextNonce)); }
    @Override public void onDatagram(int flowId, ByteBuffer payload) { add("DATAGRAM " + flowId + " " + hex(payload)); }

    private static String hex(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
