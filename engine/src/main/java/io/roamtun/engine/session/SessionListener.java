package io.roamtun.engine.session;

/** Told when a session ends, so its owner can forget it (server) or start another (client). */
public interface SessionListener {
    void onSessionClosed(Session session, String reason);
}
