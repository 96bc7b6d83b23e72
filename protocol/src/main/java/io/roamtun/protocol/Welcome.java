package io.roamtun.protocol;

/**
 * The server's answer to HELLO: the chosen version and the server's own stream settings.
 *
 * @param version        session protocol version both now speak
 * @param capabilities   capability bits the server accepted
 * @param initialWindow  bytes the server can buffer per stream before it grants more
 * @param maxPayload     largest payload the server accepts
 * @param sessionId      the new session's id
 */
public record Welcome(int version, int capabilities, int initialWindow, int maxPayload, SessionId sessionId) {}
