package io.roamtun.engine.session;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;

/** Service names the peer may open, and the address each one connects to. Empty: the peer may open none. */
public final class ServiceDirectory {
    private final Map<String, InetSocketAddress> targets;

    public ServiceDirectory(Map<String, InetSocketAddress> targets) {
        this.targets = new TreeMap<>(targets);
    }

    public static ServiceDirectory empty() {
        return new ServiceDirectory(Map.of());
    }

    /** The address for a service, or null when no such service is offered. */
    public InetSocketAddress resolve(String service) {
        return targets.get(service);
    }

    /** The services whose names pass {@code allowed}: what one client may open. */
    public ServiceDirectory restrictedTo(java.util.function.Predicate<String> allowed) {
        Map<String, InetSocketAddress> subset = new TreeMap<>();
        targets.forEach((name, address) -> {
            if (allowed.test(name)) {
                subset.put(name, address);
            }
        });
        return new ServiceDirectory(subset);
    }

    public Map<String, InetSocketAddress> asMap() {
        return java.util.Collections.unmodifiableMap(targets);
    }
}
