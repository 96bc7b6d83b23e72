package io.roamtun.protocol;

import java.nio.ByteBuffer;

/**
 * The frames that belong to the session a link carries: the sequenced stream frames, ACK (of the
 * session's sequence) and DATAGRAM. Payload buffers passed to {@link #onData} and {@link #onDatagram}
 * are views of the decoder's input, valid only during the call: copy what must be kept. Any method may
 * throw {@link ProtocolException} to reject what the peer said.
 */
public interface SessionFrameHandler {

    /**
     * Called before every sequenced frame. Returns false when the frame is a duplicate the session
     * already has (replayed after a resume), which the decoder then skips.
     */
    boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException;

    void onOpen(int streamId, String service) throws ProtocolException;

    void onOpenOk(int streamId) throws ProtocolException;

    void onOpenFail(int streamId, ErrorCode code, String message) throws ProtocolException;

    void onData(int streamId, ByteBuffer payload) throws ProtocolException;

    void onFin(int streamId) throws ProtocolException;

    void onReset(int streamId, ErrorCode code) throws ProtocolException;

    /** {@code increment} as sent: a value outside 1..2^31-1 shows as zero or negative, the stream's error to report. */
    void onWindowUpdate(int streamId, int increment) throws ProtocolException;

    void onAck(long receivedOffset) throws ProtocolException;

    void onDatagram(int flowId, ByteBuffer payload) throws ProtocolException;
}
