package io.roamtun.client;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** Whether an address is on one of this machine's interfaces now (the kernel is asked each time). */
final class LocalAddresses {
    private LocalAddresses() {}

    static boolean isLocal(InetAddress address) {
        try {
            NetworkInterface nif = NetworkInterface.getByInetAddress(address);
            return nif != null && nif.isUp();
        } catch (SocketException e) {
            return false;
        }
    }
}
