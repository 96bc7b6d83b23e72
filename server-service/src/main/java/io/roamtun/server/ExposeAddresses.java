package io.roamtun.server;

import io.roamtun.engine.text.Cidr;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Which address each client's exposed ports listen on: its fixed one (the clients file), else one of its own
 * from the pool, kept while the client holds any port, else the default (127.0.0.1). With a pool, several
 * clients can expose the same port, each on its own address. Loop thread.
 */
final class ExposeAddresses {
    private final InetAddress fallback;
    /** Pool addresses handed out, by holder (a client's name, or a session of an unauthenticated client). */
    private final Map<Object, InetAddress> byHolder = new HashMap<>();
    private final Map<InetAddress, Object> holderOf = new HashMap<>();

    ExposeAddresses(InetAddress fallback) {
        this.fallback = fallback;
    }

    /** The address for {@code holder}'s ports; null when the pool has no address left. */
    InetAddress addressFor(Object holder, InetAddress fixed, Cidr pool) {
        return addressFor(holder, fixed, pool, java.util.Set.of());
    }

    /** As above; the pool never hands out one of {@code reserved} (addresses fixed for other clients). */
    InetAddress addressFor(Object holder, InetAddress fixed, Cidr pool, java.util.Set<InetAddress> reserved) {
        if (fixed != null) {
            return fixed;
        }
        InetAddress held = byHolder.get(holder);
        if (held != null) {
            return held;
        }
        if (pool == null) {
            return fallback;
        }
        // The network's own address (and, in IPv4, its broadcast address) is skipped unless it is all there is.
        int first = pool.size() > 2 ? 1 : 0;
        int end = pool.size() > 2 ? pool.size() - 1 : pool.size();
        for (int i = first; i < end && i < first + 65_536; i++) {
            InetAddress candidate = pool.address(i);
            if (!holderOf.containsKey(candidate) && !reserved.contains(candidate)) {
                byHolder.put(holder, candidate);
                holderOf.put(candidate, holder);
                return candidate;
            }
        }
        return null;
    }

    /** {@code holder} holds no port any more: its pool address goes back. */
    void release(Object holder) {
        InetAddress address = byHolder.remove(holder);
        if (address != null) {
            holderOf.remove(address);
        }
    }
}
