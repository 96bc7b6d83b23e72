package io.roamtun.protocol;

/**
 * First frame of a new session, client to server.
 *
 * @param minVersion     lowest session protocol version the client speaks
 * @param maxVersion     highest session protocol version the client speaks
 * @param capabilities   capability bits the client offers (none defined in v1)
 * @param initialWindow  bytes the client can buffer per stream before it grants more (WINDOW_UPDATE)
 * @param maxPayload     largest payload the client accepts, at most {@link Wire#MAX_PAYLOAD}
 * @param credential     "NAME:SECRET" when the server authenticates clients, else empty (sent inside TLS)
 */
public record Hello(int minVersion, int maxVersion, int capabilities, int initialWindow, int maxPayload, String credential) {
    public Hello {
        credential = credential == null ? "" : credential;
    }

    public Hello(int minVersion, int maxVersion, int capabilities, int initialWindow, int maxPayload) {
        this(minVersion, maxVersion, capabilities, initialWindow, maxPayload, "");
    }

    /** The name part of the credential, for logs (never the secret). */
    public String clientName() {
        int colon = credential.indexOf(':');
        return colon < 0 ? credential : credential.substring(0, colon);
    }

    @Override
    public String toString() {
        return "Hello[" + minVersion + ".." + maxVersion + " caps=" + capabilities + " window=" + initialWindow
                + " maxPayload=" + maxPayload + " client=" + clientName() + "]";
    }
}
