package io.roamtun.protocol;

import java.nio.ByteBuffer;

/**
 * The frames that belong to the session a link carries: the sequenced stream frames, ACK (of the
 * session's sequence) and DATAGRAM. Payload buffers passed to {@link #onData} and {@link #onDatagram}
 * are views of the decoder's input, valid only during the call: copy what must be kept. The one exception:
 * a DATA payload's bytes stay valid until {@link #afterBatch} returns, so a handler may keep a view of them
 * that long. Any method may throw {@link ProtocolException} to reject what the peer said.
 */
public interface SessionFrameHandler {

    /**
     * Called before every sequenced frame. Returns false when the frame is a duplicate the session
     * already has (replayed after a resume), which the decoder then skips.
     */
    boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException;

    /** Where a sequenced frame goes: handled now, skipped (a duplicate), or held (ahead of its place, MULTIPATH). */
    enum Placement { TAKE, SKIP, HOLD }

    /**
     * Called before every sequenced frame instead of {@link #admitSequenced} by the decoder; a session with
     * several links overrides it to hold frames that arrive ahead of their place ({@link #hold}).
     */
    default Placement place(FrameType type, long seq, int frameBytes) throws ProtocolException {
        return admitSequenced(type, seq, frameBytes) ? Placement.TAKE : Placement.SKIP;
    }

    /**
     * A frame {@link #place} said to hold: {@code frame} is the whole frame, header included, valid only
     * during the call (copy it).
     */
    default void hold(long seq, ByteBuffer frame) throws ProtocolException {
        throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "a frame at " + seq + " ahead of its place");
    }

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

    /** The decoder starts on a buffer of frames ({@link FrameDecoder#decode}); {@link #afterBatch} follows. */
    default void beforeBatch() {}

    /**
     * The decoder is done with the buffer it was given, normally or by an exception: DATA payloads passed since
     * {@link #beforeBatch} are still valid during this call and not after it.
     */
    default void afterBatch() {}
}
