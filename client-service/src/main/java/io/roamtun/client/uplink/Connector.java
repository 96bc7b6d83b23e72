package io.roamtun.client.uplink;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.paths.FailedPaths;
import io.roamtun.client.paths.PathChoice;
import io.roamtun.client.uplink.UplinkState.Event;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.Timer;
import io.roamtun.engine.text.HostPort;
import io.roamtun.protocol.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uplink's attempts, one at a time: where the next one goes (an interface not set aside, the server's
 * next address), how a failed one is sorted (the path's fault or the server's answer; another path now, or
 * a backoff wait), and the backoff itself. A new attempt starts only after the one before is given up.
 */
final class Connector {
    private static final Logger log = LoggerFactory.getLogger(Connector.class);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Uplink uplink;
    private final EventLoop loop;
    private final ClientConfig config;
    private final RouteChoice routes;
    private final ServerAddresses servers;
    private final FailedPaths failedPaths;
    private final boolean roaming;
    /** Asks for the server's name to be looked up again; does nothing when it was given as an address. */
    private Runnable refreshServerName = () -> { };
    private Attempt attempt;
    private Timer retryTimer;
    private long backoffNanos = FIRST_BACKOFF_NANOS;

    Connector(Uplink uplink, EventLoop loop, ClientConfig config, RouteChoice routes, ServerAddresses servers,
              FailedPaths failedPaths, boolean roaming) {
        this.uplink = uplink;
        this.loop = loop;
        this.config = config;
        this.routes = routes;
        this.servers = servers;
        this.failedPaths = failedPaths;
        this.roaming = roaming;
    }

    void resolveWith(Runnable refresh) {
        this.refreshServerName = refresh;
    }

    /** The attempt under way, or null. */
    Attempt attempt() {
        return attempt;
    }

    /** The server's name resolved (loop thread), to one address or more: used from the next attempt on. */
    void onServerAddresses(List<InetSocketAddress> resolved) {
        InetSocketAddress was = routes.server();
        List<InetSocketAddress> before = servers.all();
        boolean moved = servers.update(resolved, routes::hasPathFor);
        if (resolved.size() > 1 && servers.changedFrom(before)) {
            log.info("server-service {} has {} addresses: {}; each is tried in turn when one does not answer",
                    resolved.get(0).getHostString(), resolved.size(), resolved.stream().map(HostPort::format).toList());
        }
        if (!moved) {
            return;
        }
        log.info("server-service {} is at {}{}", routes.server().getHostString(), HostPort.format(routes.server()),
                was == null ? "" : " (was " + HostPort.format(was) + ")");
        if (uplink.carrier() == null && attempt == null) {
            cancelRetry();
            connectNow("server name resolved");
        }
    }

    /** Starts an attempt on the best route now (no link carries the session). */
    void connectNow(String cause) {
        if (uplink.state() == UplinkState.STOPPED || attempt != null) {
            return;
        }
        if (routes.server() == null) { // its name has not resolved yet: the resolver's answer starts an attempt at once
            refreshServerName.run(); // (it says once that the name does not resolve; no line per retry here)
            scheduleRetry();
            return;
        }
        if (roaming && routes.freshBestPath() == null) {
            // Every interface that reaches the address in use has just failed; one that has not may reach the
            // name's other family.
            Route fresh = routes.freshBestRoute();
            InetSocketAddress was = routes.server();
            if (fresh != null && servers.use(fresh.target())) {
                log.info("no interface that has not just failed reaches {}; trying {} via {}", HostPort.format(was),
                        HostPort.format(routes.server()), fresh.path());
            }
        }
        PathChoice path = routes.bestPath();
        if (roaming && path == null && moveToReachableAddress()) {
            path = routes.bestPath();
        }
        if (roaming && path == null) {
            uplink.on(Event.WAIT);
            servers.waiting(); // the next network starts a new round of the addresses
            log.warn("no usable interface to reach {}; waiting for one (session {} keeps its streams)",
                    HostPort.format(routes.server()), uplink.session().label());
            return;
        }
        start(new Route(path, routes.server()), cause, false, ok -> { }, fail -> { });
    }

    /** No interface reaches the address in use: takes one of a family an interface has; true when it moved. */
    boolean moveToReachableAddress() {
        InetSocketAddress was = routes.server();
        if (!servers.moveToReachable(routes::hasPathFor)) {
            return false;
        }
        log.info("no interface reaches the server-service at {} any more; using its address {}", HostPort.format(was),
                HostPort.format(routes.server()));
        return true;
    }

    void start(Route route, String cause, boolean planned, Consumer<String> done, Consumer<String> failed) {
        if (route.target() == null) { // (a switch asked for before the server's name ever resolved)
            failed.accept("the server-service's name " + config.server().getHostString() + " does not resolve yet");
            return;
        }
        cancelRetry();
        uplink.beforeAttempt(); // one attempt at a time, a second link's join included: RESUMEs are numbered in the order made
        try {
            attempt = new Attempt(route, cause, planned, done, failed, loop, config, uplink, uplink::session);
            if (uplink.carrier() == null) {
                uplink.on(Event.ATTEMPT);
            }
            attempt.start();
        } catch (IOException e) {
            if (attempt != null) {
                failed(attempt, e.getMessage(), true);
            }
        }
    }

    /** A switch to interface {@code name} (the uplink roams); {@code done} or {@code failed} is called once. */
    void switchTo(String name, PathChoice activePath, Consumer<String> done, Consumer<String> failed) {
        if (uplink.state() == UplinkState.STOPPED) { // (an admin request still in flight while the service stops)
            failed.accept("client-service is shutting down");
            return;
        }
        if (!roaming) {
            failed.accept("roaming is off (the server is on loopback, or no interface table)");
            return;
        }
        if (routes.server() == null) {
            failed.accept("the server-service's name " + config.server().getHostString() + " does not resolve yet");
            return;
        }
        Route route = routes.viaInterface(name);
        if (route == null) {
            failed.accept("interface " + name + " is not usable (missing, down, excluded, or no address for the server)");
            return;
        }
        failedPaths.clear(name); // asked for by name: try it whatever failed before
        if (route.path().equals(activePath) && attempt == null) {
            routes.pin(name);
            done.accept("already on " + route.path());
            return;
        }
        if (attempt != null) {
            giveUp("superseded by a switch to " + name);
        }
        // Pinned once the switch worked: a switch that failed leaves the policy (and any earlier pin) alone.
        start(route, "switch to " + name + " requested", uplink.carrier() != null, ok -> {
            routes.pin(name);
            done.accept(ok);
        }, failed);
    }

    /** Gives the attempt under way up; {@code why} goes to whoever asked for it. The one place an attempt ends unwon. */
    void giveUp(String why) {
        Attempt given = attempt;
        attempt = null; // first: giving it up closes its link, which must not count as a failed attempt
        given.giveUp(why);
    }

    /** The attempt under way is made pointless by another move (to the second link): abandoned, its asker told it is done. */
    void supersede(String how) {
        Attempt given = attempt;
        attempt = null;
        given.passOn();
        given.onDone.accept(how);
    }

    /** The attempt under way won: its link carries the session. */
    Attempt won() {
        Attempt won = attempt;
        won.succeeded();
        attempt = null;
        backoffNanos = FIRST_BACKOFF_NANOS;
        return won;
    }

    /**
     * The attempt failed. @param pathAtFault false when the server answered (a refusal): the interface works,
     * it is not set aside
     */
    void failed(Attempt failedAttempt, String reason, boolean pathAtFault) {
        if (failedAttempt != attempt) {
            return;
        }
        giveUp(reason);
        if (uplink.state() == UplinkState.STOPPED) {
            return;
        }
        Route route = failedAttempt.route;
        // An address the name no longer has failed: the server moved, the interface is not to blame.
        boolean targetDropped = !servers.all().contains(route.target()) && !servers.isHolder(route.target());
        if (pathAtFault && route.path() != null && !targetDropped) {
            failedPaths.failed(route.path().interfaceName(), System.nanoTime());
        }
        if (uplink.carrier() != null) {
            log.warn("could not move to {}: {}; staying on {}", route.pathName(), reason, uplink.carrier());
            uplink.moveToBetterPath(); // another interface may have become the better one meanwhile
            return;
        }
        if (pathAtFault && servers.holderFailed()) {
            log.warn("the node holding session {} does not answer at {}; resuming through {} again", uplink.session().label(),
                    HostPort.format(route.target()), servers.current() == null ? "the server's name" : HostPort.format(servers.current()));
        }
        refreshServerName.run(); // it may have moved; the next attempt takes the new address
        String why = "cannot reach server-service " + HostPort.format(route.target()) + " via " + route.pathName() + ": " + reason;
        // The server answered a refusal through this address: it is there. Otherwise its next one, if any.
        boolean anotherAddress = pathAtFault && (route.target().equals(routes.server())
                ? servers.failed(routes::hasPathFor)
                : targetDropped); // the name moved meanwhile: its new address is untried
        PathChoice next = pathAtFault && route.path() != null ? routes.freshBestPath() : null;
        if (next != null || anotherAddress) {
            // Another interface, or another of the server's addresses, has not failed yet: try it now rather
            // than the silent one again after a wait.
            log.warn("{}; trying {}", why, anotherAddress ? HostPort.format(routes.server()) + (next != null ? " via " + next : "") : next);
            connectNow("previous path failed");
            return;
        }
        log.warn("{}; retrying in {} ms", why, TimeUnit.NANOSECONDS.toMillis(backoffNanos));
        scheduleRetry();
    }

    /** The server closed, or the network took, the link of the attempt under way. */
    void attemptLinkClosed(ErrorCode code, String reason, boolean byPeer) {
        if (byPeer && code == ErrorCode.AUTH_FAILED && uplink.session().id() == null) {
            // Not a network outage: the apps waiting for this session would wait forever. Reset them
            // (and those connecting later, at each refusal), and keep trying in case the server changes.
            int waiting = uplink.session().streamCount();
            log.error("server-service {}refused this client: {} (check --credential; retrying with backoff{})",
                    config.upstream().name().isEmpty() ? "" : config.upstream().name() + " ", reason,
                    waiting > 0 ? "; " + waiting + " waiting connections reset" : "");
            uplink.session().discard();
            uplink.newSession();
            failed(attempt, code + " " + reason, false);
            return;
        }
        if (byPeer && code == ErrorCode.REDIRECT && attempt.resuming() && followRedirect(reason)) {
            return;
        }
        if (byPeer && (code == ErrorCode.UNKNOWN_SESSION || code == ErrorCode.SEQUENCE_ERROR || code == ErrorCode.AUTH_FAILED)) {
            giveUp("the server no longer has the session (" + code + "); a new one starts");
            log.warn("server-service no longer has session {} ({}); resetting its {} connections and starting a new session",
                    uplink.session().label(), reason, uplink.session().streamCount());
            // Bytes the server had not delivered are gone with it: reset, so no app takes a cut-off
            // transfer for a complete one.
            uplink.session().close("server no longer knows the session");
            return;
        }
        // SESSION_TAKEN_OVER: the server has the session on a connection it accepted after this one; SHUTTING_DOWN
        // or LIMIT_EXCEEDED: it refuses (a draining node, say). The path works: retry with backoff, not setting it aside.
        failed(attempt, code == ErrorCode.NO_ERROR ? reason : code + " " + reason, !(byPeer && (code == ErrorCode.SESSION_TAKEN_OVER
                || code == ErrorCode.SHUTTING_DOWN || code == ErrorCode.LIMIT_EXCEEDED)));
    }

    /**
     * A node of a fleet said another holds the session, at {@code address}: followed, at once, when that is
     * the address the session's own ticket names (given by the node in WELCOME); else ignored (false), and
     * the attempt fails as any refusal does.
     */
    private boolean followRedirect(String address) {
        io.roamtun.protocol.FleetTicket ticket = uplink.session().fleetTicket();
        InetSocketAddress holder;
        try {
            InetSocketAddress at = ticket != null && ticket.address().equals(address) ? HostPort.parseLiteral("redirect", address) : null;
            // Named as the server was, so TLS checks the name a --server-ca certificate is for, not the node's address.
            holder = at == null ? null : new InetSocketAddress(java.net.InetAddress.getByAddress(config.server().getHostString(),
                    at.getAddress().getAddress()), at.getPort());
        } catch (io.roamtun.engine.text.UsageException | java.net.UnknownHostException e) {
            holder = null;
        }
        if (holder == null) {
            log.warn("a redirect of session {} to '{}' ignored: the session's ticket names {}", uplink.session().label(),
                    io.roamtun.engine.text.LogSafe.escape(address), ticket == null ? "no node" : ticket);
            return false;
        }
        // The fleet says it is there, and it does not answer (or it is there and redirects to itself): gone with its node.
        if (servers.lostWith(holder) || attempt.route.target().equals(holder)) {
            giveUp("its node " + ticket.node() + " does not answer");
            log.warn("session {} is lost: its node {} at {} does not answer; resetting its {} connections and starting a new session",
                    uplink.session().label(), ticket.node(), address, uplink.session().streamCount());
            uplink.session().close("its fleet node " + ticket.node() + " does not answer");
            return true;
        }
        log.info("session {} is held by node {}: resuming there, at {} (redirected)", uplink.session().label(), ticket.node(), address);
        servers.heldAt(holder);
        // The same purpose (a switch, a probe, a resume) by the same path, to the node: whoever asked hears from it.
        Attempt redirected = attempt;
        attempt = null;
        redirected.passOn();
        start(new Route(redirected.route.path(), holder), redirected.cause + "; redirected to node " + ticket.node(),
                redirected.planned, redirected.onDone, redirected.onFail);
        return true;
    }

    /** Waits, then tries again; each wait twice the last, up to the maximum. */
    private void scheduleRetry() {
        uplink.on(Event.WAIT);
        servers.waiting();
        retryTimer = loop.schedule(backoffNanos, () -> connectNow("retry"));
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
    }

    void cancelRetry() {
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
    }
}
