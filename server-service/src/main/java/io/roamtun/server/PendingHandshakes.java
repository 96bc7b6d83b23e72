package io.roamtun.server;

import io.roamtun.engine.link.Link;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The links still in their handshake, by source address, bounded in all ({@code --max-pending}) and per
 * source address ({@code --max-pending-per-address}). A new connection always gets in; what makes room is
 * the oldest handshake of its own address when that address is at its share, else the oldest handshake
 * of the address holding the most. So one address flooding half-open connections evicts its own, and a
 * client from anywhere else still connects (before, the flood held every slot and others were reset).
 */
final class PendingHandshakes {
    private final int max;
    private final int maxPerAddress;
    private final Map<InetAddress, ArrayDeque<Link>> byAddress = new HashMap<>();
    private final Map<Link, InetAddress> addressOf = new HashMap<>();

    PendingHandshakes(int max, int maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    int size() {
        return addressOf.size();
    }

    /** Counts {@code link} from {@code source}; returns the handshake to end to make room for it, or null. */
    Link admit(Link link, InetAddress source) {
        ArrayDeque<Link> own = byAddress.computeIfAbsent(source, a -> new ArrayDeque<>());
        Link evict = null;
        if (own.size() >= maxPerAddress) {
            evict = own.peekFirst();
        } else if (addressOf.size() >= max) {
            ArrayDeque<Link> heaviest = own;
            for (ArrayDeque<Link> links : byAddress.values()) {
                if (links.size() > heaviest.size()) {
                    heaviest = links;
                }
            }
            evict = heaviest.peekFirst();
        }
        if (evict != null) {
            done(evict);
        }
        own.addLast(link);
        addressOf.put(link, source);
        return evict;
    }

    /** {@code link} finished its handshake, or closed: it no longer counts. */
    void done(Link link) {
        InetAddress source = addressOf.remove(link);
        if (source == null) {
            return;
        }
        ArrayDeque<Link> links = byAddress.get(source);
        links.remove(link);
        if (links.isEmpty()) {
            byAddress.remove(source);
        }
    }
}
