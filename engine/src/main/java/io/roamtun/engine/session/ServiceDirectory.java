package io.roamtun.engine.session;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Service names the peer may open, and the address each one connects to. Empty: the peer may open none. */
public final class ServiceDirectory {
    private final Map<String, InetSocketAddress> targets;
    /** Services offered but not to this peer, and who the peer is: so a refusal can say so. */
    private final Set<String> withheld;
    private final String peer;

    public ServiceDirectory(Map<String, InetSocketAddress> targets) {
        this(targets, Set.of(), "");
    }

    private ServiceDirectory(Map<String, InetSocketAddress> targets, Set<String> withheld, String peer) {
        this.targets = new TreeMap<>(targets);
        this.withheld = Set.copyOf(withheld);
        this.peer = peer;
    }

    public static ServiceDirectory empty() {
        return new ServiceDirectory(Map.of());
    }

    /** The address for a service, or null when no such service is offered. */
    public InetSocketAddress resolve(String service) {
        return targets.get(service);
    }

    /** The services whose names pass {@code allowed}: what the client {@code peer} may open. */
    public ServiceDirectory restrictedTo(java.util.function.Predicate<String> allowed, String peer) {
        Map<String, InetSocketAddress> subset = new TreeMap<>();
        Set<String> others = new TreeSet<>();
        targets.forEach((name, address) -> {
            if (allowed.test(name)) {
                subset.put(name, address);
            } else {
                others.add(name);
            }
        });
        return new ServiceDirectory(subset, others, peer);
    }

    /** Why {@code service} cannot be opened: not offered at all, or not to this client. */
    public String whyNot(String service) {
        return withheld.contains(service) ? "client '" + peer + "' may not open service " + service
                : "no service named " + service;
    }

    public Map<String, InetSocketAddress> asMap() {
        return java.util.Collections.unmodifiableMap(targets);
    }
}
