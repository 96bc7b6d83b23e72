package io.roamtun.client;

import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.UsageException;
import java.net.InetSocketAddress;

/**
 * One local UDP port that stands in for a UDP service of the server-service: each source address that
 * sends datagrams to {@code listen} is a flow to {@code service}, its answers sent back to that source.
 */
public record UdpForward(InetSocketAddress listen, String service) {

    /** {@code [BIND_ADDR:]PORT=NAME}; the bind address defaults to 127.0.0.1. */
    public static UdpForward parse(String spec) throws UsageException {
        Forward parsed = Forward.parse("--forward-udp", spec);
        return new UdpForward(parsed.listen(), parsed.service());
    }

    @Override
    public String toString() {
        return "udp " + HostPort.format(listen) + "=" + service;
    }
}
