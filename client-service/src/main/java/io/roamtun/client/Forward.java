package io.roamtun.client;

import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.UsageException;
import io.roamtun.protocol.ServiceNames;
import java.net.InetSocketAddress;

/**
 * One local port that stands in for a backend service: connections accepted on {@code listen} become
 * streams to {@code service} on the server-service named {@code server} (empty: the only one). With
 * {@code httpResume}, HTTP downloads through it are taken up again at their offset when their session is
 * lost ({@code --http-resume}).
 */
public record Forward(InetSocketAddress listen, String server, String service, boolean httpResume) {

    public Forward(InetSocketAddress listen, String service) {
        this(listen, "", service);
    }

    public Forward(InetSocketAddress listen, String server, String service) {
        this(listen, server, service, false);
    }

    /** This forward with its HTTP downloads taken up again after a lost session. */
    public Forward resumingHttp() {
        return new Forward(listen, server, service, true);
    }

    /** {@code [BIND_ADDR:]PORT=[SERVER/]NAME}; the bind address defaults to 127.0.0.1. */
    public static Forward parse(String spec) throws UsageException {
        return parse("--forward", spec);
    }

    /** As {@link #parse(String)}, the errors naming {@code flag} ({@code --forward-udp} parses the same way). */
    static Forward parse(String flag, String spec) throws UsageException {
        int eq = spec.lastIndexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new UsageException(flag + ": '" + spec + "' is not [BIND_ADDR:]PORT=NAME");
        }
        String where = spec.substring(0, eq).trim();
        String[] target = serverAndName(flag, spec.substring(eq + 1).trim());
        String name = target[1];
        if (!ServiceNames.isValid(name)) {
            throw new UsageException(flag + ": '" + name + "' is not a valid service name (letters, digits, '.', '_', '-')");
        }
        InetSocketAddress listen = where.matches("\\d+")
                ? new InetSocketAddress(HostPort.resolve(flag, "127.0.0.1"), HostPort.parsePort(flag, where))
                : HostPort.parse(flag, where);
        return new Forward(listen, target[0], name);
    }

    /** {@code [SERVER/]NAME} as {server ("" when not given), name}; the server's name checked. */
    static String[] serverAndName(String flag, String spec) throws UsageException {
        int slash = spec.indexOf('/');
        if (slash < 0) {
            return new String[] {"", spec};
        }
        String server = spec.substring(0, slash).trim();
        if (!Upstream.isName(server)) {
            throw new UsageException(flag + ": '" + server + "' is not a server name (letters, digits, '_', '-'), in "
                    + "SERVER/" + spec.substring(slash + 1));
        }
        return new String[] {server, spec.substring(slash + 1).trim()};
    }

    /** The service as the flag named it: "SERVER/NAME", or "NAME". */
    String target() {
        return server.isEmpty() ? service : server + "/" + service;
    }

    @Override
    public String toString() {
        return HostPort.format(listen) + "=" + target();
    }
}
