package io.roamtun.engine.link;

import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.SessionFrameHandler;

/**
 * What a link needs of the session it carries: where the session's frames that arrive go, the frames to
 * send, and the acknowledgement due. Handshake and link-control frames (PING, PONG, GOAWAY) the link
 * handles itself.
 */
public interface SessionPort {

    /** Where the peer's session frames (sequenced frames, ACK, DATAGRAM) go. */
    SessionFrameHandler frames();

    ReplayBuffer replay();

    /** The link carrying the session now; null while it is suspended. */
    Link link();

    /** The acknowledgement to send now, or -1 when none is due; taking it marks it sent. */
    long takeDueAck();

    /**
     * The link has room: the session's queued DATAGRAM frames go into the slots {@code slot} gives (null: full).
     * True when some are left waiting.
     */
    default boolean drainDatagrams(java.util.function.IntFunction<java.nio.ByteBuffer> slot) {
        return false;
    }

    /** Called after each batch of frames read, so the session can decide about acknowledgements. */
    void afterInboundBatch();

    /**
     * A GOAWAY went out ({@code sentByPeer} false) or came in on the link carrying this session: it ends the
     * session on both sides, unless its code ends only the link ({@link Link#endsOnlyTheLink}).
     */
    void onGoAway(ErrorCode code, String reason, boolean sentByPeer);

    /** The link carrying this session is gone. */
    void onLinkLost(Link link, String reason);
}
