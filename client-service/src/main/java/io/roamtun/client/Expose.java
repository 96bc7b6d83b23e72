package io.roamtun.client;

import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.UsageException;
import java.net.InetSocketAddress;

/**
 * One reverse tunnel: the server-service listens on {@code port} for this client, and each connection a
 * backend app makes there becomes a stream that this client-service delivers to {@code target}; with
 * {@code udp}, each source sending datagrams there is a flow whose datagrams go to {@code target}.
 */
public record Expose(int port, InetSocketAddress target, boolean udp) {

    public Expose(int port, InetSocketAddress target) {
        this(port, target, false);
    }

    /** {@code PORT=[HOST:]LOCALPORT}; the host defaults to 127.0.0.1. */
    public static Expose parse(String spec) throws UsageException {
        return parse("--expose", spec, false);
    }

    /** As {@link #parse(String)}, for {@code --expose-udp}. */
    public static Expose parseUdp(String spec) throws UsageException {
        return parse("--expose-udp", spec, true);
    }

    private static Expose parse(String flag, String spec, boolean udp) throws UsageException {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new UsageException(flag + ": '" + spec + "' is not PORT=[HOST:]LOCALPORT");
        }
        String port = spec.substring(0, eq).trim();
        String to = spec.substring(eq + 1).trim();
        if (!port.matches("\\d{1,5}")) {
            throw new UsageException(flag + ": '" + port + "' is not a port (the server-side port comes first: PORT=[HOST:]LOCALPORT)");
        }
        int serverPort = HostPort.parsePort(flag, port);
        if (serverPort == 0) {
            throw new UsageException(flag + ": the server-side port must be 1-65535, not 0");
        }
        InetSocketAddress target = to.matches("\\d+")
                ? new InetSocketAddress(HostPort.resolve(flag, "127.0.0.1"), HostPort.parsePort(flag, to))
                : HostPort.parse(flag, to);
        if (target.getPort() == 0) {
            throw new UsageException(flag + " " + port + ": the local port must be 1-65535, not 0");
        }
        return new Expose(serverPort, target, udp);
    }

    @Override
    public String toString() {
        return (udp ? "udp " : "") + port + "=" + HostPort.format(target);
    }
}
