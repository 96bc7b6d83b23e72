package io.roamtun.engine.session;

import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameEncoder;
import java.nio.ByteBuffer;

/**
 * The control frames a stream owes its peer, kept until the replay buffer has room for them, so a full
 * buffer delays them and never loses them. They are written in the order of {@link Kind}, by one loop.
 */
final class OwedFrames {
    /** In the order they go out: an OPEN before anything else of its stream, a RESET last. */
    enum Kind { OPEN, OPEN_OK, OPEN_FAIL, WINDOW_UPDATE, FIN, RESET;

        private static final Kind[] IN_ORDER = values();
    }

    /** What the stream decides at the moment a frame is written. */
    interface Stream {
        int id();

        String service();

        /** Whether a WINDOW_UPDATE is owed now (credit consumed); asked anew at each write. */
        boolean owesWindowUpdate();

        /** The increment to send now, as its slot is reserved; 0 when the window shrank by all that was consumed. */
        int grantWindow();
    }

    /** One bit per {@link Kind} owed, by ordinal (a stream is small: no EnumSet object per stream). */
    private int owed;
    private ErrorCode openFailCode;
    private String openFailMessage;
    private ErrorCode resetCode;

    void owe(Kind kind) {
        owed |= bit(kind);
    }

    private static int bit(Kind kind) {
        return 1 << kind.ordinal();
    }

    void oweOpenFail(ErrorCode code, String message) {
        openFailCode = code;
        openFailMessage = message;
        owe(Kind.OPEN_FAIL);
    }

    void oweReset(ErrorCode code) {
        resetCode = code;
        owe(Kind.RESET);
    }

    boolean owes(Kind kind) {
        return (owed & bit(kind)) != 0;
    }

    /** Whether OPEN or OPEN_OK is still owed: the stream reads its local socket only once they are on their way. */
    boolean opening() {
        return owes(Kind.OPEN) || owes(Kind.OPEN_OK);
    }

    /** Control frames other than WINDOW_UPDATE (which the stream's window owes). */
    boolean any() {
        return owed != 0;
    }

    /** Forgets the given kinds (the stream is reset: they no longer mean anything). */
    void forget(Kind... kinds) {
        for (Kind kind : kinds) {
            owed &= ~bit(kind);
        }
    }

    /** Writes what is owed into {@code replay}, in order; false when it ran out of room (the rest stays owed). */
    boolean writeTo(ReplayBuffer replay, Stream stream) {
        for (Kind kind : Kind.IN_ORDER) { // (one array for all streams, not a copy per call)
            if (kind == Kind.WINDOW_UPDATE ? !stream.owesWindowUpdate() : !owes(kind)) {
                continue;
            }
            int size = size(kind, stream);
            ByteBuffer slot = replay.reserveFrame(size);
            if (slot == null) {
                return false;
            }
            if (encode(kind, slot, replay.head(), stream)) {
                replay.commitFrame(size);
            }
            owed &= ~bit(kind);
        }
        return true;
    }

    private int size(Kind kind, Stream stream) {
        return switch (kind) {
            case OPEN -> FrameEncoder.openSize(stream.service());
            case OPEN_OK, FIN -> FrameEncoder.EMPTY_FRAME_BYTES;
            case OPEN_FAIL -> FrameEncoder.messageFrameSize(openFailMessage);
            case WINDOW_UPDATE -> FrameEncoder.WINDOW_UPDATE_FRAME_BYTES;
            case RESET -> FrameEncoder.RESET_FRAME_BYTES;
        };
    }

    /** Encodes one frame into its reserved slot; false when it turned out to have nothing to say. */
    private boolean encode(Kind kind, ByteBuffer slot, long seq, Stream stream) {
        int id = stream.id();
        switch (kind) {
            case OPEN -> FrameEncoder.open(slot, seq, id, stream.service());
            case OPEN_OK -> FrameEncoder.openOk(slot, seq, id);
            case OPEN_FAIL -> FrameEncoder.openFail(slot, seq, id, openFailCode, openFailMessage);
            case WINDOW_UPDATE -> {
                int increment = stream.grantWindow();
                if (increment <= 0) {
                    return false;
                }
                FrameEncoder.windowUpdate(slot, seq, id, increment);
            }
            case FIN -> FrameEncoder.fin(slot, seq, id);
            case RESET -> FrameEncoder.reset(slot, seq, id, resetCode);
        }
        return true;
    }
}
