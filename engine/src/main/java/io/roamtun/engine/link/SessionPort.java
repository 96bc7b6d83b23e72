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

    /**
     * The ACK to write on {@code link} now, or -1: the link carrying the session takes the one due
     * ({@link #takeDueAck}); a link among several that carries frames too says what was received whenever
     * that moved on since {@code lastOnLink}, its own last ACK.
     */
    default long ackFor(Link link, long lastOnLink) {
        return link == link() ? takeDueAck() : -1;
    }

    /** MULTIPATH: the client's PATH arrived on {@code link}, one of this session's. */
    default void onPath(Link link, io.roamtun.protocol.PathControl path) throws io.roamtun.protocol.ProtocolException {
        throw new io.roamtun.protocol.ProtocolException(ErrorCode.PROTOCOL_ERROR, "PATH in a session without MULTIPATH");
    }

    /** {@code link}'s socket is full: another link of the session may take the frames it cannot. */
    default void onLinkBlocked(Link link) {}

    /** Called after each batch of frames read, so the session can decide about acknowledgements. */
    void afterInboundBatch() throws io.roamtun.protocol.ProtocolException;

    /**
     * A GOAWAY went out ({@code sentByPeer} false) or came in on the link carrying this session: it ends the
     * session on both sides, unless its code ends only the link ({@link Link#endsOnlyTheLink}).
     */
    void onGoAway(ErrorCode code, String reason, boolean sentByPeer);

    /** A link of this session is gone (the one carrying it, or one beside it). */
    void onLinkLost(Link link, String reason);
}
