package io.roamtun.engine.session;

/** Told when a session's life changes, so its owner can forget it, expire it, or start another. */
public interface SessionListener {
    void onSessionClosed(Session session, String reason);

    /** The session lost its link and waits for a resume; its streams stay open. */
    default void onSessionSuspended(Session session, String reason) {}

    /** MULTIPATH, server: the client moved the session to {@code link}, one already beside the one carrying it. */
    default void onSessionPromoted(Session session, io.roamtun.engine.link.Link link) {}
}
