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
 * @param exposes        ports the client asks the server to listen on for it (reverse streams), at most
 *                       {@link Wire#MAX_EXPOSES}, each 1..65535 and given once
 */
public record Hello(int minVersion, int maxVersion, int capabilities, int initialWindow, int maxPayload, String credential,
                    java.util.List<Integer> exposes) {
    public Hello {
        credential = credential == null ? "" : credential;
        exposes = exposes == null ? java.util.List.of() : java.util.List.copyOf(exposes);
        if (exposes.size() > Wire.MAX_EXPOSES || exposes.stream().anyMatch(p -> p < 1 || p > 65_535)
                || exposes.stream().distinct().count() != exposes.size()) {
            throw new IllegalArgumentException("exposes: at most " + Wire.MAX_EXPOSES + " distinct ports 1..65535: " + exposes);
        }
    }

    public Hello(int minVersion, int maxVersion, int capabilities, int initialWindow, int maxPayload, String credential) {
        this(minVersion, maxVersion, capabilities, initialWindow, maxPayload, credential, java.util.List.of());
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
                + " maxPayload=" + maxPayload + " client=" + clientName() + (exposes.isEmpty() ? "" : " exposes=" + exposes) + "]";
    }
}
