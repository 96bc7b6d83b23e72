package io.roamtun.client.paths;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * One network interface as seen at one poll.
 *
 * @param name       the OS name, e.g. wlan0
 * @param index      the OS index (changes when an interface is re-created)
 * @param up         administratively and operationally up
 * @param loopback   the loopback interface
 * @param virtual    a sub-interface (Java's notion: an alias of another)
 * @param mtu        the MTU, -1 when unknown
 * @param addresses  its addresses, in the OS's order
 */
public record InterfaceSnapshot(String name, int index, boolean up, boolean loopback, boolean virtual, int mtu,
                                List<InetAddress> addresses) {
    public InterfaceSnapshot {
        addresses = List.copyOf(addresses);
    }

    /** The first address usable to reach a server of {@code family}: same family, not link-local, not multicast. */
    public InetAddress usableAddress(Class<? extends InetAddress> family) {
        for (InetAddress a : addresses) {
            if (family.isInstance(a) && !a.isLinkLocalAddress() && !a.isMulticastAddress() && !a.isAnyLocalAddress()
                    && !(a instanceof Inet6Address && a.getHostAddress().startsWith("fe80"))) {
                return a;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name).append(up ? " up" : " down");
        for (InetAddress a : addresses) {
            s.append(' ').append(a.getHostAddress());
        }
        return s.toString();
    }
}
