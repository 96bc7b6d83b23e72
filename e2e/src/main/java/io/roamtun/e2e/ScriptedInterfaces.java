package io.roamtun.e2e;

import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An interface table a test writes: loopback addresses (127.0.0.2, 127.0.0.3, ...) play the interfaces. */
public final class ScriptedInterfaces implements InterfaceSource {
    private final Map<String, InterfaceSnapshot> table = new LinkedHashMap<>();

    public synchronized ScriptedInterfaces put(String name, int index, boolean up, String... addresses) {
        List<InetAddress> list = new ArrayList<>();
        for (String a : addresses) {
            try {
                list.add(InetAddress.getByName(a));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
        table.put(name, new InterfaceSnapshot(name, index, up, false, false, 1500, list));
        return this;
    }

    public synchronized void remove(String name) {
        table.remove(name);
    }

    @Override
    public synchronized List<InterfaceSnapshot> read() {
        return new ArrayList<>(table.values());
    }
}
