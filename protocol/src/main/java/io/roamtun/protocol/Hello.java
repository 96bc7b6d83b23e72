package io.roamtun.protocol;

/**
 * First frame of a new session, client to server.
 *
 * @param minVersion     lowest session protocol version the client speaks
 * @param maxVersion     highest session protocol version the client speaks
 * @param capabilities   capability bits the client offers (none defined in v1)
 * @param initialWindow  bytes the client can buffer per stream before it grants more (WINDOW_UPDATE)
 * @param maxPayload     largest payload the client accepts, at most {@link Wire#MAX_PAYLOAD}
 */
public record Hello(int minVersion, int maxVersion, int capabilities, int initialWindow, int maxPayload) {}
