package io.roamtun.client.paths;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lookup table of the machine's interfaces, by name, as of the last poll, and the diff that each
 * new poll makes. Not thread-safe: the client's event loop owns it.
 */
public final class InterfaceTable {
    private Map<String, InterfaceSnapshot> byName = new LinkedHashMap<>();

    /** Replaces the table with a new poll; returns what changed, in a stable order. */
    public List<InterfaceEvent> update(List<InterfaceSnapshot> poll) {
        Map<String, InterfaceSnapshot> next = new LinkedHashMap<>();
        for (InterfaceSnapshot s : poll) {
            next.put(s.name(), s);
        }
        List<InterfaceEvent> events = new ArrayList<>();
        for (InterfaceSnapshot old : byName.values()) {
            if (!next.containsKey(old.name())) {
                events.add(new InterfaceEvent(InterfaceEvent.Kind.REMOVED, old.name(), null));
            }
        }
        for (InterfaceSnapshot now : next.values()) {
            InterfaceSnapshot old = byName.get(now.name());
            if (old == null) {
                events.add(new InterfaceEvent(InterfaceEvent.Kind.ADDED, now.name(), null));
                continue;
            }
            if (old.up() && !now.up()) {
                events.add(new InterfaceEvent(InterfaceEvent.Kind.WENT_DOWN, now.name(), null));
            } else if (!old.up() && now.up()) {
                events.add(new InterfaceEvent(InterfaceEvent.Kind.WENT_UP, now.name(), null));
            }
            Set<InetAddress> before = new HashSet<>(old.addresses());
            Set<InetAddress> after = new HashSet<>(now.addresses());
            for (InetAddress a : old.addresses()) {
                if (!after.contains(a)) {
                    events.add(new InterfaceEvent(InterfaceEvent.Kind.ADDRESS_REMOVED, now.name(), a));
                }
            }
            for (InetAddress a : now.addresses()) {
                if (!before.contains(a)) {
                    events.add(new InterfaceEvent(InterfaceEvent.Kind.ADDRESS_ADDED, now.name(), a));
                }
            }
        }
        byName = next;
        return events;
    }

    public InterfaceSnapshot get(String name) {
        return byName.get(name);
    }

    public Collection<InterfaceSnapshot> all() {
        return byName.values();
    }

    /** True when {@code address} is still assigned to {@code name}, which is up. */
    public boolean holds(String name, InetAddress address) {
        InterfaceSnapshot s = byName.get(name);
        return s != null && s.up() && s.addresses().contains(address);
    }
}
