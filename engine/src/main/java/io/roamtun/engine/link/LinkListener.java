package io.roamtun.engine.link;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Welcome;

/**
 * The owner of a link while it has no session, and the one told when it ends: the server's session
 * registry or the client's uplink. Handshake frames go here; stream frames go to the attached session.
 */
public interface LinkListener {
    // The defaults refuse a handshake frame this side never takes; the decoder already refuses one sent by
    // the wrong role (a client's HELLO or RESUME at a client), so they guard the owner's own omissions.

    default void onHello(Link link, Hello hello) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unexpected HELLO");
    }

    default void onWelcome(Link link, Welcome welcome) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unexpected WELCOME");
    }

    default void onResume(Link link, Resume resume) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unexpected RESUME");
    }

    default void onResumed(Link link, long receivedOffset, long sentOffset, byte[] nextNonce) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unexpected RESUMED");
    }

    /** The server said MOVING on this established link: its node is draining (PROTOCOL.md, "Fleets"). */
    default void onMoving(Link link) {}

    /** The link has received nothing for half its dead-after time: a chance to probe another path. */
    default void onLinkQuiet(Link link, long quietMillis) {}

    /**
     * The link is closed. {@code byPeer} tells a GOAWAY or EOF from the peer from a local decision or a
     * network error. Called once.
     */
    void onLinkClosed(Link link, ErrorCode code, String reason, boolean byPeer);
}
