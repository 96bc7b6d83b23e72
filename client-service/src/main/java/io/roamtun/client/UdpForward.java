package io.roamtun.client;

import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.UsageException;
import io.roamtun.protocol.ServiceNames;
import java.net.InetSocketAddress;

/**
 * One local UDP port that stands in for a UDP service of the server-service: each source address that
 * sends datagrams to {@code listen} is a flow to {@code service}, its answers sent back to that source.
 */
public record UdpForward(InetSocketAddress listen, String service) {

    /** {@code [BIND_ADDR:]PORT=NAME}; the bind address defaults to 127.0.0.1. */
    public static UdpForward parse(String spec) throws UsageException {
        int eq = spec.lastIndexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) {
            throw new UsageException("--forward-udp: '" + spec + "' is not [BIND_ADDR:]PORT=NAME");
        }
        String where = spec.substring(0, eq).trim();
        String name = spec.substring(eq + 1).trim();
        if (!ServiceNames.isValid(name)) {
            throw new UsageException("--forward-udp: '" + name + "' is not a valid service name (letters, digits, '.', '_', '-')");
        }
        InetSocketAddress listen = where.matches("\\d+")
                ? new InetSocketAddress(HostPort.resolve("--forward-udp", "127.0.0.1"), HostPort.parsePort("--forward-udp", where))
                : HostPort.parse("--forward-udp", where);
        return new UdpForward(listen, name);
    }

    @Override
    public String toString() {
        return "udp " + HostPort.format(listen) + "=" + service;
    }
}
