package io.roamtun.client;

import io.roamtun.engine.text.HostPort;
import java.net.InetSocketAddress;

/**
 * One local UDP port that stands in for a UDP service of the server-service: each source address that
 * sends datagrams to {@code listen} is a flow to {@code service} (on the server-service named {@code server};
 * empty: the only one), its answers sent back to that source.
 */
public record UdpForward(InetSocketAddress listen, String server, String service) {

    public UdpForward(InetSocketAddress listen, String service) {
        this(listen, "", service);
    }

    @Override
    public String toString() {
        return "udp " + HostPort.format(listen) + "=" + (server.isEmpty() ? service : server + "/" + service);
    }
}
