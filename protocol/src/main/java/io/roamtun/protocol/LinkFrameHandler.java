package io.roamtun.protocol;

/**
 * The frames that belong to one link: the handshake (HELLO, WELCOME, RESUME, RESUMED) and link control
 * (PING, PONG, GOAWAY). None is sequenced or replayed. Any method may throw {@link ProtocolException}.
 */
public interface LinkFrameHandler {

    void onHello(Hello hello) throws ProtocolException;

    void onWelcome(Welcome welcome) throws ProtocolException;

    void onResume(Resume resume) throws ProtocolException;

    /** The server took the session back: it has received up to {@code receivedOffset} and sent up to {@code sentOffset}. */
    void onResumed(long receivedOffset, long sentOffset, byte[] nextNonce) throws ProtocolException;

    void onPing(long opaque) throws ProtocolException;

    void onPong(long opaque) throws ProtocolException;

    void onGoAway(ErrorCode code, String message) throws ProtocolException;

    /** PATH (MULTIPATH, a client's): the role of this link in its session. */
    default void onPath(PathControl path) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unexpected PATH");
    }

    /** MOVING (a server's hint, see PROTOCOL.md "Fleets"); ignored unless the handler acts on it. */
    default void onMoving() throws ProtocolException {}
}
