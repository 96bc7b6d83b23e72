package io.roamtun.client;

import io.roamtun.engine.text.Cidr;
import io.roamtun.engine.text.UsageException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Who may connect to the forwards ({@code --allow-from CIDR}, repeatable, or {@code any}). This machine's own
 * apps (loopback sources) always may.
 */
public final class SourceFilter {
    private final List<Cidr> networks;
    private final boolean any;

    private SourceFilter(List<Cidr> networks, boolean any) {
        this.networks = List.copyOf(networks);
        this.any = any;
    }

    /** Only this machine's apps: what a forward on a loopback address needs. */
    public static SourceFilter loopbackOnly() {
        return new SourceFilter(List.of(), false);
    }

    /** From {@code --allow-from} values: networks, or the one word {@code any}. */
    public static SourceFilter parse(List<String> values) throws UsageException {
        List<Cidr> networks = new ArrayList<>();
        boolean any = false;
        for (String value : values) {
            for (String part : value.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                if (part.trim().equals("any")) {
                    any = true;
                } else {
                    networks.add(Cidr.parse("--allow-from", part));
                }
            }
        }
        return new SourceFilter(networks, any);
    }

    /** Whether anything beyond loopback was allowed ({@code any} or a network). */
    public boolean givesAccess() {
        return any || !networks.isEmpty();
    }

    /** True when {@code source} may connect. */
    public boolean allows(InetAddress source) {
        return any || source.isLoopbackAddress() || networks.stream().anyMatch(n -> n.contains(source));
    }

    @Override
    public String toString() {
        return any ? "any" : networks.isEmpty() ? "this machine only"
                : networks.stream().map(Cidr::toString).collect(Collectors.joining(",")) + " and this machine";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceFilter f && f.any == any && f.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
