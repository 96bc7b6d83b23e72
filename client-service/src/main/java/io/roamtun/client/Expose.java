package io.roamtun.client;

import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.UsageException;
import java.net.InetSocketAddress;

/**
 * One reverse tunnel: the server-service listens on {@code port} for this client, and each connection a
 * backend app makes there becomes a stream that this client-service delivers to {@code target}.
 */
public record Expose(int port, InetSocketAddress target) {

    /** {@code PORT=[HOST:]LOCALPORT}; the host defaults to 127.0.0.1. */
    public static Expose parse(String spec) throws UsageException {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new UsageException("--expose: '" + spec + "' is not PORT=[HOST:]LOCALPORT");
        }
        String port = spec.substring(0, eq).trim();
        String to = spec.substring(eq + 1).trim();
        if (!port.matches("\\d{1,5}")) {
            throw new UsageException("--expose: '" + port + "' is not a port (the server-side port comes first: PORT=[HOST:]LOCALPORT)");
        }
        int serverPort = HostPort.parsePort("--expose", port);
        if (serverPort == 0) {
            throw new UsageException("--expose: the server-side port must be 1-65535, not 0");
        }
        InetSocketAddress target = to.matches("\\d+")
                ? new InetSocketAddress(HostPort.resolve("--expose", "127.0.0.1"), HostPort.parsePort("--expose", to))
                : HostPort.parse("--expose", to);
        if (target.getPort() == 0) {
            throw new UsageException("--expose " + port + ": the local port must be 1-65535, not 0");
        }
        return new Expose(serverPort, target);
    }

    @Override
    public String toString() {
        return port + "=" + HostPort.format(target);
    }
}
