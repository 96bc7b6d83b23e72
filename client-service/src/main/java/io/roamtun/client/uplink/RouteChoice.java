package io.roamtun.client.uplink;

import io.roamtun.client.paths.FailedPaths;
import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceTable;
import io.roamtun.client.paths.PathChoice;
import io.roamtun.client.paths.PathPolicy;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.function.LongSupplier;

/**
 * Which route the uplink takes: the interfaces of the table, ranked by the policy, minus those set aside
 * after a failure, crossed with the server's addresses (a dual-stack name gives routes of both families).
 * Pure: it reads the table, the failures and the addresses, and changes none of them except the pin.
 */
final class RouteChoice {
    private final PathPolicy policy;
    private final InterfaceTable table;
    private final FailedPaths failedPaths;
    private final ServerAddresses servers;
    private final boolean roaming;
    private final LongSupplier clock;
    /** The interface a switch pinned, or null. */
    private String pinned;

    RouteChoice(PathPolicy policy, InterfaceTable table, FailedPaths failedPaths, ServerAddresses servers, boolean roaming,
                LongSupplier clock) {
        this.policy = policy;
        this.table = table;
        this.failedPaths = failedPaths;
        this.servers = servers;
        this.roaming = roaming;
        this.clock = clock;
    }

    String pinned() {
        return pinned;
    }

    void pin(String name) {
        pinned = name;
    }

    /** Where the next attempt goes; null until the server's name resolves. */
    InetSocketAddress server() {
        return servers.current();
    }

    /** The address family paths must have to reach the server (IPv4 until its name resolves). */
    private Class<? extends InetAddress> family() {
        return server() != null ? server().getAddress().getClass() : Inet4Address.class;
    }

    /** Whether interface {@code name} can reach one of the server's addresses. */
    boolean hasPathVia(String name) {
        InterfaceSnapshot nif = table.get(name);
        return servers.targets().stream().anyMatch(target -> policy.usable(nif, target.getAddress().getClass()) != null);
    }

    /** Whether some interface can reach {@code address} (always, when not roaming). */
    boolean hasPathFor(InetAddress address) {
        return !roaming || policy.best(table.all(), address.getClass(), pinned) != null;
    }

    private Collection<InterfaceSnapshot> notSetAside() {
        return failedPaths.notSetAside(table.all(), clock.getAsLong());
    }

    /** The best path to the address in use, passing over interfaces set aside after a failure while another is usable. */
    PathChoice bestPath() {
        if (!roaming) {
            return null;
        }
        PathChoice fresh = freshBestPath();
        return fresh != null ? fresh : policy.best(table.all(), family(), pinned);
    }

    /** The best path to the address in use among interfaces not set aside, or null. */
    PathChoice freshBestPath() {
        return roaming ? policy.best(notSetAside(), family(), pinned) : null;
    }

    /** The best route among interfaces not set aside, to any of the server's families; null when none. */
    Route freshBestRoute() {
        return bestRoute(notSetAside());
    }

    /**
     * The best route through another interface than {@code activePath}'s (a quiet path is suspect), to any of
     * the server's families, preferring interfaces not set aside after a failure; else the best path.
     */
    Route alternativeTo(PathChoice activePath) {
        if (!roaming) {
            return new Route(null, server());
        }
        Route fresh = bestOtherThan(activePath, notSetAside());
        if (fresh != null) {
            return fresh;
        }
        Route any = bestOtherThan(activePath, table.all());
        return any != null ? any : new Route(bestPath(), server());
    }

    /** Where a second link of the session goes (MULTIPATH): the best interface but the active one's, not set aside; null for none. */
    Route secondTo(PathChoice activePath) {
        return roaming && activePath != null ? bestOtherThan(activePath, notSetAside()) : null;
    }

    /** Whether the route's interface is metered ({@code --metered}). */
    boolean metered(Route route) {
        return route.path() != null && policy.metered(route.path().interfaceName());
    }

    private Route bestOtherThan(PathChoice activePath, Iterable<InterfaceSnapshot> interfaces) {
        Route best = null;
        int bestRank = Integer.MAX_VALUE;
        for (InetSocketAddress target : servers.targets()) { // the family in use first: on a tie it stays
            for (InterfaceSnapshot nif : interfaces) {
                PathChoice choice = policy.usable(nif, target.getAddress().getClass());
                if (choice != null && (activePath == null || !nif.name().equals(activePath.interfaceName()))
                        && policy.rank(nif.name()) < bestRank) {
                    best = new Route(choice, target);
                    bestRank = policy.rank(nif.name());
                }
            }
        }
        return best;
    }

    /**
     * A route better than {@code activePath} to move to make-before-break (ranked higher by --prefer, or the
     * pinned interface), among interfaces not set aside; null when the active one is the best.
     */
    Route betterThan(PathChoice activePath) {
        Route best = freshBestRoute();
        if (best != null && !best.path().equals(activePath)
                && (policy.rank(best.path().interfaceName()) < policy.rank(activePath.interfaceName())
                    || best.path().interfaceName().equals(pinned))) {
            return best;
        }
        return null;
    }

    /** The route through interface {@code name} a switch asks for, to any of the server's families; null when it has none. */
    Route viaInterface(String name) {
        InterfaceSnapshot nif = table.get(name);
        for (InetSocketAddress candidate : servers.targets()) { // one with only the name's other family will do
            PathChoice path = nif == null ? null : policy.usable(nif, candidate.getAddress().getClass());
            if (path != null) {
                return new Route(path, candidate);
            }
        }
        return null;
    }

    /**
     * The best path among {@code interfaces} to the address in use; or, when the best-ranked (or pinned)
     * interface has only another family of the server's name's addresses, to that family's address.
     */
    private Route bestRoute(Collection<InterfaceSnapshot> interfaces) {
        Route best = null;
        for (InetSocketAddress target : servers.targets()) { // the family in use first: on a tie it stays
            PathChoice choice = policy.best(interfaces, target.getAddress().getClass(), pinned);
            if (choice != null && (best == null || ranksAbove(choice, best.path()))) {
                best = new Route(choice, target);
            }
        }
        return best;
    }

    private boolean ranksAbove(PathChoice a, PathChoice b) {
        boolean aPinned = a.interfaceName().equals(pinned);
        if (aPinned != b.interfaceName().equals(pinned)) {
            return aPinned;
        }
        return policy.rank(a.interfaceName()) < policy.rank(b.interfaceName());
    }

    /** Whether the route's interface still has its address and can still reach its target (its family). */
    boolean stillUsable(Route route) {
        PathChoice path = route.path();
        if (path == null) {
            return true;
        }
        InterfaceSnapshot nif = table.get(path.interfaceName());
        return table.holds(path.interfaceName(), path.localAddress())
                && policy.usable(nif, route.target().getAddress().getClass()) != null;
    }
}
