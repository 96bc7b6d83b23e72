package io.roamtun.client.paths;

import java.net.InetAddress;

/** An interface to use for the uplink and the local address to bind it to. */
public record PathChoice(String interfaceName, InetAddress localAddress) {
    @Override
    public String toString() {
        return interfaceName + " (" + localAddress.getHostAddress() + ")";
    }
}
