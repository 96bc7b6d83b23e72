package io.roamtun.engine.link;

import io.roamtun.engine.buffer.ReplayBuffer;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameHandler;

/**
 * What a link needs of the session it carries: the frames to send, and a handler for the session's
 * frames that arrive (sequenced frames, ACK, DATAGRAM). Handshake and link-control frames (PING, PONG,
 * GOAWAY) the link handles itself.
 */
public interface SessionPort extends FrameHandler {

    ReplayBuffer replay();

    /** The link carrying the session now; null while it is suspended. */
    Link link();

    /** The acknowledgement to send now, or -1 when none is due; taking it marks it sent. */
    long takeDueAck();

    /** Called after each batch of frames read, so the session can decide about acknowledgements. */
    void afterInboundBatch();

    /** The peer said GOAWAY on the link carrying this session: the peer is ending the session, not only the link. */
    void onPeerGoAway(ErrorCode code, String message);

    /**
     * This side is closing the link carrying the session with an error GOAWAY, which ends the session on
     * the peer's side: end it here too, rather than keep it suspended for a resume that will not come.
     */
    void endByError(ErrorCode code, String reason);

    /** The link carrying this session is gone. */
    void onLinkLost(Link link, String reason);
}
