package io.roamtun.client.uplink;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.paths.FailedPaths;
import io.roamtun.client.paths.PathChoice;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MULTIPATH, the client: a second link of the session through another interface than the one carrying it,
 * joined (RESUME with JOIN) and kept open, so that the session moves there at once, with no connect and no
 * handshake ({@link #takeOver}); in redundant and aggregate mode it carries frames too. One at a time: a join
 * that fails is tried again after a backoff (2 s doubling to 30 s; a change in the table clears it).
 */
final class SecondLink {
    private static final Logger log = LoggerFactory.getLogger(SecondLink.class);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Uplink uplink;
    private final EventLoop loop;
    private final ClientConfig config;
    private final RouteChoice routes;
    private final FailedPaths failedPaths;
    private Attempt attempt;
    private Carrier ready;
    private long notBeforeNanos;
    private long backoffNanos = FIRST_BACKOFF_NANOS;

    SecondLink(Uplink uplink, EventLoop loop, ClientConfig config, RouteChoice routes, FailedPaths failedPaths) {
        this.uplink = uplink;
        this.loop = loop;
        this.config = config;
        this.routes = routes;
        this.failedPaths = failedPaths;
    }

    /** The joined link, or null. */
    Carrier ready() { return ready; }

    boolean owns(Link link) {
        return link != null && (ready != null && ready.link() == link || attempt != null && attempt.link() == link);
    }

    boolean owns(Attempt candidate) { return candidate != null && candidate == attempt; }

    /** Whether the joined link goes through interface {@code name}. */
    boolean readyVia(String name) {
        return ready != null && ready.route().path() != null && ready.route().path().interfaceName().equals(name);
    }

    /** Whether a join through interface {@code name} is under way (the link to move to there is coming). */
    boolean joiningVia(String name) {
        return attempt != null && attempt.route.path() != null && attempt.route.path().interfaceName().equals(name);
    }

    /** The interface table changed: a second link may be worth trying again at once. */
    void tableChanged() {
        notBeforeNanos = 0;
        backoffNanos = FIRST_BACKOFF_NANOS;
    }

    /**
     * Keeps the second link right: drops it (or the join under way) when its interface went, or when the
     * session now rides on that same interface; starts a join when the session wants one and another
     * interface can take it. After each poll and each change of the link carrying the session.
     */
    void reconsider() {
        Carrier carrier = uplink.carrier();
        if (ready != null && (!routes.stillUsable(ready.route()) || carrier != null && sameInterface(ready.route(), carrier.route()))) {
            Carrier gone = ready;
            ready = null;
            gone.link().abort("interface " + gone + " is gone, or carries the session itself");
        }
        if (attempt != null && !routes.stillUsable(attempt.route)) {
            giveUp("interface " + attempt.route.pathName() + " is gone");
        }
        if (ready != null || attempt != null || carrier == null || uplink.state() != UplinkState.ACTIVE || uplink.attemptRunning()
                || !uplink.session().paths().mayJoin() || System.nanoTime() < notBeforeNanos) {
            return;
        }
        Route route = routes.secondTo(carrier.route().path());
        if (route == null) {
            return;
        }
        try {
            attempt = new Attempt(route, "second link", true, ok -> { }, fail -> { }, loop, config, uplink, uplink::session).asJoin();
            attempt.start();
        } catch (IOException e) {
            failed(attempt, e.getMessage());
        }
    }

    private static boolean sameInterface(Route a, Route b) {
        return a.path() != null && b.path() != null && a.path().interfaceName().equals(b.path().interfaceName());
    }

    /** The join's RESUMED: the link joins the session beside the one carrying it. */
    void joined(Link from, long serverReceived, byte[] nextNonce) throws ProtocolException {
        Attempt won = attempt;
        if (won == null || won.link() != from) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unexpected RESUMED");
        }
        won.succeeded();
        try {
            uplink.session().paths().joined(from, serverReceived, nextNonce, routes.metered(won.route));
        } catch (ProtocolException | RuntimeException refused) {
            attempt = null;
            backOff();
            throw refused; // (the link closes with its code; the next join waits out the backoff)
        }
        attempt = null;
        ready = new Carrier(from, won.route);
        backoffNanos = FIRST_BACKOFF_NANOS;
        log.info("session {}: second link via {} ready ({}{})", uplink.session().label(), won.route.pathName(),
                config.paths().multipath(), routes.metered(won.route) ? ", metered" : "");
    }

    /** The join failed (no answer, reset): tried again after the backoff, the interface set aside a while. */
    void failed(Attempt failedAttempt, String reason) {
        if (failedAttempt != attempt) {
            return;
        }
        giveUp(reason, true);
    }

    private void giveUp(String reason) {
        giveUp(reason, true);
    }

    /** {@code pathAtFault} false when the server answered (a refusal): the interface works, it is not set aside. */
    private void giveUp(String reason, boolean pathAtFault) {
        Attempt given = attempt;
        attempt = null;
        given.giveUp(reason);
        if (pathAtFault && given.route.path() != null) {
            failedPaths.failed(given.route.path().interfaceName(), System.nanoTime());
        }
        backOff();
        log.info("session {}: second link via {} failed: {}; next try in {} ms", uplink.session().label(), given.route.pathName(),
                reason, TimeUnit.NANOSECONDS.toMillis(backoffNanos));
    }

    private void backOff() {
        notBeforeNanos = System.nanoTime() + backoffNanos;
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
    }

    /** A link of this one's closed (the join's, or the joined link). */
    void linkClosed(Link closed, String reason, boolean byPeer) {
        if (attempt != null && attempt.link() == closed) {
            giveUp(reason, !byPeer);
        } else if (ready != null && ready.link() == closed) {
            log.info("session {}: second link via {} closed: {}", uplink.session().label(), ready, reason);
            ready = null;
            backOff();
        }
    }

    /** The joined link heard nothing for half of dead-after: its path is dead too; it goes. */
    void quiet(Link link, long quietMillis) {
        if (ready != null && ready.link() == link) {
            Carrier dead = ready;
            ready = null;
            if (dead.route().path() != null) {
                failedPaths.failed(dead.route().path().interfaceName(), System.nanoTime());
            }
            backOff();
            dead.link().abort("second link quiet for " + quietMillis + " ms");
        }
    }

    /** The joined link carries the session from now on (PATH tells the server); null when none is ready. */
    Carrier takeOver() {
        Carrier next = ready;
        ready = null;
        Carrier carrier = uplink.carrier();
        if (next != null && (!routes.stillUsable(next.route()) || carrier != null && sameInterface(next.route(), carrier.route()))) {
            next.link().abort("interface " + next + " is gone, or carries the session itself"); // (between two polls)
            return null;
        }
        if (next != null) {
            uplink.session().paths().promote(next.link(), routes.metered(next.route()));
        }
        return next;
    }

    /** A link that carried the session stays beside the new one as the second (a planned move: it still works). */
    void adopt(Carrier previous) {
        if (ready == null && attempt == null && uplink.session().paths().has(previous.link())) {
            ready = previous;
            uplink.session().paths().keepBeside(previous.link(), routes.metered(previous.route()));
        } else {
            previous.link().close(ErrorCode.NO_ERROR, "session moved");
        }
    }

    /** A join under way is given up without blame (another attempt goes first); tried again at the next poll after it. */
    void cancelJoin(String why) {
        if (attempt != null) {
            Attempt given = attempt;
            attempt = null;
            given.giveUp(why);
        }
    }

    /** The session ended or the uplink stops: the join is given up, the link closed. */
    void stop(String why) {
        if (attempt != null) {
            Attempt given = attempt;
            attempt = null;
            given.giveUp(why);
        }
        if (ready != null) {
            Carrier gone = ready;
            ready = null;
            gone.link().close(ErrorCode.NO_ERROR, why);
        }
    }

    /** For status: the mode and the second link (joined, joining, or none and why). */
    String describe() {
        io.roamtun.client.paths.Multipath wanted = config.paths().multipath();
        if (wanted.mode() == null) {
            return "off";
        }
        io.roamtun.engine.session.Session s = uplink.session();
        return wanted + ", second link: " + (s.id() != null && !s.paths().negotiated() ? "none (the server does not speak multipath)" : this);
    }

    @Override
    public String toString() {
        return ready != null ? ready.toString() : attempt != null ? attempt.route.pathName() + " joining" : "none";
    }
}
