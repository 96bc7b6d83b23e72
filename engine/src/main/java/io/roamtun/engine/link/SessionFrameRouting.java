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
    private static final SessionFrameHandler BEFORE_HANDSHAKE = new Refusing(true);
    private static final SessionFrameHandler AFTER_CLOSE = new Refusing(false);

    private SessionFrameHandler target = BEFORE_HANDSHAKE;

    /** From now on, the session's frames go to {@code session}. */
    void to(SessionFrameHandler session) {
        target = session;
    }

    /** The link is closing or closed: frames still in its buffer are dropped (the session went elsewhere). */
    void closed() {
        target = AFTER_CLOSE;
    }

    @Override
    public boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException {
        return target.admitSequenced(type, seq, frameBytes);
    }

    @Override
    public void onOpen(int streamId, String service) throws ProtocolException {
        target.onOpen(streamId, service);
    }

    @Override
    public void onOpenOk(int streamId) throws ProtocolException {
        target.onOpenOk(streamId);
    }

    @Override
    public void onOpenFail(int streamId, ErrorCode code, String message) throws ProtocolException {
        target.onOpenFail(streamId, code, message);
    }

    @Override
    public void onData(int streamId, ByteBuffer payload) throws ProtocolException {
        target.onData(streamId, payload);
    }

    @Override
    public void onFin(int streamId) throws ProtocolException {
        target.onFin(streamId);
    }

    @Override
    public void onReset(int streamId, ErrorCode code) throws ProtocolException {
        target.onReset(streamId, code);
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) throws ProtocolException {
        target.onWindowUpdate(streamId, increment);
    }

    @Override
    public void onAck(long receivedOffset) throws ProtocolException {
        target.onAck(receivedOffset);
    }

    @Override
    public void onDatagram(int flowId, ByteBuffer payload) throws ProtocolException {
        target.onDatagram(flowId, payload);
    }

    /** No session: every session frame is refused (before the handshake) or dropped (after the end). */
    private static final class Refusing implements SessionFrameHandler {
        private final boolean refuse;

        Refusing(boolean refuse) {
            this.refuse = refuse;
        }

        private void arrived(FrameType type) throws ProtocolException {
            if (refuse) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " before the handshake completed");
            }
        }

        @Override
        public boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException {
            arrived(type);
            return false;
        }

        @Override
        public void onOpen(int streamId, String service) throws ProtocolException {
            arrived(FrameType.OPEN); // (not reached: admitSequenced refused or skipped the frame)
        }

        @Override
        public void onOpenOk(int streamId) throws ProtocolException {
            arrived(FrameType.OPEN_OK);
        }

        @Override
        public void onOpenFail(int streamId, ErrorCode code, String message) throws ProtocolException {
            arrived(FrameType.OPEN_FAIL);
        }

        @Override
        public void onData(int streamId, ByteBuffer payload) throws ProtocolException {
            arrived(FrameType.DATA);
        }

        @Override
        public void onFin(int streamId) throws ProtocolException {
            arrived(FrameType.FIN);
        }

        @Override
        public void onReset(int streamId, ErrorCode code) throws ProtocolException {
            arrived(FrameType.RESET);
        }

        @Override
        public void onWindowUpdate(int streamId, int increment) throws ProtocolException {
            arrived(FrameType.WINDOW_UPDATE);
        }

        @Override
        public void onAck(long receivedOffset) throws ProtocolException {
            arrived(FrameType.ACK);
        }

        @Override
        public void onDatagram(int flowId, ByteBuffer payload) throws ProtocolException {
            arrived(FrameType.DATAGRAM);
        }
    }
}
