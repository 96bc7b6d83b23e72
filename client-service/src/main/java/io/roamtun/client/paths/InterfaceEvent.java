package io.roamtun.client.paths;

import java.net.InetAddress;

/** One change between two polls of the interface table. {@code address} is set for the address events. */
public record InterfaceEvent(Kind kind, String name, InetAddress address) {
    public enum Kind { ADDED, REMOVED, WENT_UP, WENT_DOWN, ADDRESS_ADDED, ADDRESS_REMOVED }

    @Override
    public String toString() {
        return name + " " + kind.name().toLowerCase().replace('_', ' ') + (address != null ? " " + address.getHostAddress() : "");
    }
}
