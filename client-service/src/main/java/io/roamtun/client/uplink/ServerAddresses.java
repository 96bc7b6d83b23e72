package io.roamtun.client.uplink;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;

/**
 * The addresses the server-service's name resolves to, and which one the next attempt uses (loop thread).
 * They are taken to reach one server-service (dual stack, or a host with several addresses): a session
 * lives in one server-service, and one that answers a RESUME with UNKNOWN_SESSION makes the client reset
 * its streams. A name with several addresses is tried one address after another: a failed attempt moves to the next address the client has a path for, and
 * attempts go back to back only until each of those has failed once; then the uplink waits out its backoff,
 * as it does for a name with one address. An address of a family no interface has is never chosen while
 * one of a family some interface has is there. A new answer keeps the address in use while it is among
 * the new addresses, so a periodic look-up (or one in another order) moves nothing.
 */
final class ServerAddresses {
    private List<InetSocketAddress> all;
    private InetSocketAddress current;
    private int failedInARow;
    /** The node of a fleet that holds the session, where a redirect sent the client; null: the name's addresses. */
    private InetSocketAddress holder;
    private long redirects;

    /** Attempts to the holder that failed in a row; after {@link #HOLDER_TRIES} the balancer is asked again. */
    private int holderFailures;
    /** A holder given up on for not answering: a redirect there again gets it one more round, then the session is lost. */
    private InetSocketAddress unanswering;
    private boolean secondRound;
    static final int HOLDER_TRIES = 3;

    /** A node redirected the session to the node holding it, at {@code address}: attempts go there until the session ends. */
    void heldAt(InetSocketAddress address) {
        holder = address;
        holderFailures = 0;
        redirects++;
    }

    /** The session ended: the next one starts at the name's addresses again (through the balancer). */
    void sessionEnded() {
        holder = null;
        unanswering = null;
        secondRound = false;
    }

    /**
     * An attempt to the session's node failed without an answer: after {@link #HOLDER_TRIES} in a row the
     * node is given up on and attempts go through the balancer again. True when that happened now.
     */
    boolean holderFailed() {
        if (holder == null || ++holderFailures < HOLDER_TRIES) {
            return false;
        }
        unanswering = holder;
        holder = null;
        return true;
    }

    /**
     * Whether a redirect to {@code address} means the session died with its node: the node was given up on
     * for not answering ({@link #holderFailed}) after the round it got since the balancer sent it back there
     * (its first silence may have been this machine's own outage, which the balancer's answer shows is over).
     */
    boolean lostWith(InetSocketAddress address) {
        if (!address.equals(unanswering)) {
            return false;
        }
        if (!secondRound) {
            secondRound = true;
            return false;
        }
        return true;
    }

    /** Whether {@code address} is the node the session was redirected to. */
    boolean isHolder(InetSocketAddress address) {
        return address.equals(holder);
    }

    /** Redirects followed since start. */
    long redirects() {
        return redirects;
    }

    /** @param first the address given or resolved at start; null when the name did not resolve */
    ServerAddresses(InetSocketAddress first) {
        this.current = first;
        this.all = first == null ? List.of() : List.of(first);
    }

    /** The address the next attempt uses: the session's node after a redirect; null until the name resolves. */
    InetSocketAddress current() {
        return holder != null ? holder : current;
    }

    List<InetSocketAddress> all() {
        return all;
    }

    /**
     * Takes a resolver's answer. Keeps the address in use if it is among them; otherwise takes the first one
     * {@code reachable} accepts (or the first). True when the address in use changed.
     */
    boolean update(List<InetSocketAddress> resolved, Predicate<InetAddress> reachable) {
        if (resolved.isEmpty()) {
            return false;
        }
        all = List.copyOf(resolved);
        if (current != null && all.contains(current)) {
            return false;
        }
        current = all.stream().filter(a -> reachable.test(a.getAddress())).findFirst().orElse(all.get(0));
        failedInARow = 0;
        return true;
    }

    /** True when the answer names other addresses than {@code before} did (in any order). */
    boolean changedFrom(List<InetSocketAddress> before) {
        return !new HashSet<>(before).equals(new HashSet<>(all));
    }

    /**
     * An attempt to the address in use failed (no answer, refused, reset): moves to the next address
     * {@code reachable} accepts, if there is another. True when that one should be tried at once, because
     * not every reachable address has failed since the last wait.
     */
    boolean failed(Predicate<InetAddress> reachable) {
        if (holder != null || current == null || all.size() < 2) {
            return false;
        }
        int at = all.indexOf(current);
        int reachableCount = (int) all.stream().filter(a -> reachable.test(a.getAddress())).count();
        for (int step = 1; step < all.size(); step++) {
            InetSocketAddress candidate = all.get(Math.floorMod(at + step, all.size()));
            if (reachable.test(candidate.getAddress())) {
                current = candidate;
                failedInARow++;
                return failedInARow < reachableCount;
            }
        }
        return false;
    }

    /**
     * The address in use has no path (its family left with an interface): moves to the next address that
     * has one. True when it moved.
     */
    boolean moveToReachable(Predicate<InetAddress> reachable) {
        if (current == null || reachable.test(current.getAddress())) {
            return false;
        }
        int at = all.indexOf(current);
        for (int step = 1; step <= all.size(); step++) {
            InetSocketAddress candidate = all.get(Math.floorMod(at + step, all.size()));
            if (reachable.test(candidate.getAddress())) {
                current = candidate;
                return true;
            }
        }
        return false;
    }

    /** The next attempt goes to {@code address} (one of the name's, of another family); true when that is a change. */
    boolean use(InetSocketAddress address) {
        if (!all.contains(address) || address.equals(current)) {
            return false;
        }
        current = address;
        return true;
    }

    /** The uplink starts a backoff wait: the next failures start a new round of the addresses. */
    void waiting() {
        failedInARow = 0;
    }

    /** An attempt to {@code target} carried the session: that address is the one in use now. */
    void connected(InetSocketAddress target) {
        if (all.contains(target)) {
            current = target;
        }
        failedInARow = 0;
        holderFailures = 0; // a node that answered is not given up on for earlier silences
        unanswering = null;
        secondRound = false;
    }

    /**
     * The address in use, then the first address of each other family (for a dual-stack name, the other
     * one): what a path may lead to, the family in use first so that it wins a tie. Empty until the name
     * resolves.
     */
    List<InetSocketAddress> targets() {
        if (holder != null) {
            return List.of(holder);
        }
        if (current == null) {
            return List.of();
        }
        List<InetSocketAddress> targets = new ArrayList<>();
        targets.add(current);
        for (InetSocketAddress a : all) {
            Class<?> family = a.getAddress().getClass();
            if (targets.stream().noneMatch(t -> t.getAddress().getClass() == family)) {
                targets.add(a);
            }
        }
        return targets;
    }
}
