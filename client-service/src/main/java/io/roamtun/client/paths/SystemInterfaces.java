package io.roamtun.client.paths;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The machine's interfaces through {@link NetworkInterface}. */
public final class SystemInterfaces implements InterfaceSource {
    @Override
    public List<InterfaceSnapshot> read() throws IOException {
        List<InterfaceSnapshot> all = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            List<InetAddress> addresses = Collections.list(nif.getInetAddresses());
            all.add(new InterfaceSnapshot(nif.getName(), nif.getIndex(), nif.isUp(), nif.isLoopback(), nif.isVirtual(),
                    nif.getMTU(), addresses));
        }
        return all;
    }
}
