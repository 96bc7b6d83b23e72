package io.roamtun.client;

import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.UsageException;
import java.net.InetSocketAddress;

/**
 * One reverse tunnel: the server-service listens on {@code port} for this client, and each connection a
 * backend app makes there becomes a stream that this client-service delivers to {@code target}; with
 * {@code udp}, each source sending datagrams there is a flow whose datagrams go to {@code target}. The
 * server-service is the one named {@code server} (empty: the only one).
 */
public record Expose(int port, InetSocketAddress target, boolean udp, String server) {

    public Expose(int port, InetSocketAddress target) {
        this(port, target, false);
    }

    public Expose(int port, InetSocketAddress target, boolean udp) {
        this(port, target, udp, "");
    }

    /** {@code [SERVER/]PORT=[HOST:]LOCALPORT}; the host defaults to 127.0.0.1. */
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
            throw new UsageException(flag + ": '" + spec + "' is not [SERVER/]PORT=[HOST:]LOCALPORT");
        }
        String[] serverAndPort = Forward.serverAndName(flag, spec.substring(0, eq).trim());
        String port = serverAndPort[1];
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
        return new Expose(serverPort, target, udp, serverAndPort[0]);
    }

    /** The server's port as the flag named it: "SERVER/PORT", or "PORT". */
    public String serverPort() {
        return server.isEmpty() ? String.valueOf(port) : server + "/" + port;
    }

    @Override
    public String toString() {
        return (udp ? "udp " : "") + serverPort() + "=" + HostPort.format(target);
    }
}
