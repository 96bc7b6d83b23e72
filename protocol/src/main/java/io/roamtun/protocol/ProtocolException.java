package io.roamtun.protocol;

/**
 * A peer broke the protocol. {@link #streamId()} is 0 for an error that ends the connection (answered
 * with GOAWAY), or the stream it concerns when only that stream is reset.
 */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final int streamId;

    public ProtocolException(ErrorCode code, String message) {
        this(code, 0, message);
    }

    public ProtocolException(ErrorCode code, int streamId, String message) {
        super(message, null, false, false);
        this.code = code;
        this.streamId = streamId;
    }

    public ErrorCode code() {
        return code;
    }

    public int streamId() {
        return streamId;
    }

    public boolean isConnectionError() {
        return streamId == 0;
    }

    @Override
    public String toString() {
        return code + (streamId != 0 ? " on stream " + Integer.toUnsignedString(streamId) : "") + ": " + getMessage();
    }
}
