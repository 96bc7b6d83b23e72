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
 * @param udpExposes     the same for UDP ports (TCP and UDP together at most {@link Wire#MAX_EXPOSES})
 */
public record Hello(int minVersion, int maxVersion, int capabilities, int initialWindow, int maxPayload, String credential,
                    java.util.List<Integer> exposes, java.util.List<Integer> udpExposes) {
    public Hello {
        credential = credential == null ? "" : credential;
        exposes = checkedPorts(exposes);
        udpExposes = checkedPorts(udpExposes);
        if (exposes.size() + udpExposes.size() > Wire.MAX_EXPOSES) {
            throw new IllegalArgumentException("at most " + Wire.MAX_EXPOSES + " exposed ports, TCP and UDP together");
        }
    }

    private static java.util.List<Integer> checkedPorts(java.util.List<Integer> ports) {
        java.util.List<Integer> copy = ports == null ? java.util.List.of() : java.util.List.copyOf(ports);
        if (copy.size() > Wire.MAX_EXPOSES || copy.stream().anyMatch(p -> p < 1 || p > 65_535)
                || copy.stream().distinct().count() != copy.size()) {
            throw new IllegalArgumentException("exposes: at most " + Wire.MAX_EXPOSES + " distinct ports 1..65535: " + copy);
        }
        return copy;
    }

    public Hello(int minVersion, int maxVersion, int capabilities, int initialWindow, int maxPayload, String credential,
                 java.util.List<Integer> exposes) {
        this(minVersion, maxVersion, capabilities, initialWindow, maxPayload, credential, exposes, java.util.List.of());
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
                + " maxPayload=" + maxPayload + " client=" + clientName() + (exposes.isEmpty() ? "" : " exposes=" + exposes)
                + (udpExposes.isEmpty() ? "" : " udpExposes=" + udpExposes) + "]";
    }
}
