package io.roamtun.server;

import io.roamtun.engine.text.Cidr;

/**
 * What the server allows of reverse tunnels, for every client: the ports ({@code --allow-expose}; a client's
 * own line in the clients file may add more) and the pool of addresses its listeners bind to, one address
 * per client ({@code --expose-address-pool}; null: all on 127.0.0.1, unless a client has a fixed address).
 */
public record ExposePolicy(PortRanges ports, Cidr addressPool) {
    public static final ExposePolicy NONE = new ExposePolicy(PortRanges.none(), null);

    public ExposePolicy {
        ports = ports == null ? PortRanges.none() : ports;
    }

    @Override
    public String toString() {
        return "'" + ports + "'" + (addressPool == null ? "" : " on " + addressPool);
    }
}
