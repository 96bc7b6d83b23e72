package io.roamtun.client.uplink;

import io.roamtun.client.paths.FailedPaths;
import io.roamtun.client.paths.InterfaceEvent;
import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceTable;
import io.roamtun.client.paths.PathChoice;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an {@link Uplink} does when the interface table changes, a better interface is there, or the user
 * asks for one: leave a path that is gone (to the second link when there is one, else suspend and attempt),
 * start when a path appears, move make-before-break to a better one, switch.
 */
final class PathWatch {
    private static final Logger log = LoggerFactory.getLogger(Uplink.class);

    private final Uplink uplink;
    private final InterfaceTable table;
    private final RouteChoice routes;
    private final Connector connector;
    private final SecondLink second;
    private final FailedPaths failedPaths;
    private final boolean roaming;

    PathWatch(Uplink uplink, InterfaceTable table, RouteChoice routes, Connector connector, SecondLink second, FailedPaths failedPaths,
              boolean roaming) {
        this.uplink = uplink;
        this.table = table;
        this.routes = routes;
        this.connector = connector;
        this.second = second;
        this.failedPaths = failedPaths;
        this.roaming = roaming;
    }

    /** A new poll of the interfaces, into this uplink's own table (loop thread). */
    void onInterfacePoll(List<InterfaceSnapshot> poll) {
        if (!roaming || uplink.state() == UplinkState.STOPPED) {
            return;
        }
        List<InterfaceEvent> events = table.update(poll);
        if (!events.isEmpty()) {
            log.info("interface table changed: {}", events);
        }
        onInterfaceEvents(events);
    }

    /** The table changed by {@code events} (none: a poll that changed nothing). Loop thread. */
    void onInterfaceEvents(List<InterfaceEvent> events) {
        if (!roaming || uplink.state() == UplinkState.STOPPED) {
            return;
        }
        if (events.isEmpty()) {
            moveToBetterPath(); // an interface set aside after a failure may be due for another try
            return;
        }
        for (InterfaceEvent event : events) {
            failedPaths.clear(event.name()); // it changed: whatever failed through it may work now
        }
        second.tableChanged();
        reconsider(events.toString());
    }

    /** Acts on a changed table: leave a dead path, move to a better one, or start when one appears. */
    private void reconsider(String why) {
        if (routes.pinned() != null && !routes.hasPathVia(routes.pinned())) {
            log.info("switch to {} released: the interface is no longer usable; the policy chooses again", routes.pinned());
            routes.pin(null);
        }
        if (connector.attempt() != null && !routes.stillUsable(connector.attempt().route)) {
            connector.giveUp("interface " + connector.attempt().route.path().interfaceName() + " is gone");
        }
        if (uplink.carrier() != null && !routes.stillUsable(uplink.carrier().route())) {
            PathChoice path = uplink.carrier().route().path();
            String cause = "interface " + path.interfaceName() + " lost " + path.localAddress().getHostAddress() + " (" + why + ")";
            Carrier lost = uplink.carrier();
            if (!uplink.moveToSecond(cause, false)) {
                lost.link().abort(cause); // -> onLinkClosed: the session suspends and a new attempt starts
                return;
            }
            lost.link().abort(cause);
        }
        if (uplink.carrier() == null && connector.attempt() == null && roaming && routes.bestPath() == null) {
            connector.moveToReachableAddress();
        }
        PathChoice best = routes.bestPath();
        if (best == null) {
            return;
        }
        if (uplink.carrier() != null) {
            moveToBetterPath();
        } else if (connector.attempt() == null) {
            connector.cancelRetry();
            connector.connectNow("interface " + best.interfaceName() + " usable");
        }
    }

    /**
     * While a link carries the session and no attempt runs: a make-before-break move to a better interface
     * (ranked higher, or pinned) not set aside. On table changes, every poll, and after an attempt ends.
     */
    void moveToBetterPath() {
        second.reconsider();
        if (!roaming || uplink.carrier() == null || uplink.activePath() == null || connector.attempt() != null || uplink.state() != UplinkState.ACTIVE) {
            return;
        }
        Route better = routes.betterThan(uplink.activePath());
        if (better != null && second.joiningVia(better.path().interfaceName())) {
            return; // the second link is being joined through it: the session moves there once it is up, with no RESUME
        }
        if (better != null && second.readyVia(better.path().interfaceName())) {
            uplink.moveToSecond("better interface " + better.path().interfaceName() + " available", true);
        } else if (better != null) {
            connector.start(better, "better interface " + better.path().interfaceName() + " available", true, ok -> { }, fail -> { });
        }
    }

    /** The user asked to move to {@code name}; {@code done} or {@code failed} is called once. */
    void switchTo(String name, Consumer<String> done, Consumer<String> failed) {
        if (second.readyVia(name) && connector.attempt() == null && uplink.moveToSecond("switch to " + name + " requested", true)) {
            routes.pin(name);
            done.accept("switched to " + uplink.activePath() + " (pause 0 ms, its second link)");
            return;
        }
        connector.switchTo(name, uplink.activePath(), done, failed);
    }
}
