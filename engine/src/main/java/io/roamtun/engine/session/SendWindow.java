package io.roamtun.engine.session;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Wire;

/** The credit the peer gave one stream: bytes of DATA this side may still send. WINDOW_UPDATE adds to it. */
final class SendWindow {
    private final int streamId;
    private int credit;
    private long sent;

    SendWindow(int streamId, int initial) {
        this.streamId = streamId;
        this.credit = initial;
    }

    int credit() {
        return credit;
    }

    void spent(int bytes) {
        credit -= bytes;
        sent += bytes;
    }

    /** DATA bytes sent on the stream, in all. */
    long sent() {
        return sent;
    }

    /** The peer's initial window became known (WELCOME after the stream was made). */
    void add(int initial) {
        credit += initial;
    }

    /** A WINDOW_UPDATE: 0, or one past 2^31-1 (sent as it is, read as zero or negative), is the stream's error. */
    void update(int increment) throws ProtocolException {
        if (increment <= 0) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, streamId,
                    "WINDOW_UPDATE increment " + Integer.toUnsignedString(increment) + " not in 1.." + Wire.MAX_WINDOW);
        }
        long next = (long) credit + increment;
        if (next > Integer.MAX_VALUE) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, streamId, "window would exceed 2^31-1");
        }
        credit = (int) next;
    }
}
