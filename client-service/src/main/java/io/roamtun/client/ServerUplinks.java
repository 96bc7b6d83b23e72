package io.roamtun.client;

import io.roamtun.client.paths.InterfaceEvent;
import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceTable;
import io.roamtun.client.uplink.Uplink;
import io.roamtun.client.uplink.UplinkState;
import io.roamtun.engine.EngineContext;
import io.roamtun.engine.admin.AgentFigures;
import io.roamtun.engine.text.HostPort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's uplinks, one per server-service ({@code --server NAME=HOST:PORT}, or the one unnamed), over
 * the machine's one interface table. Each keeps its own session with its own handovers, so a server that
 * is down leaves the others alone; the table is read once per poll here and its changes go to every
 * uplink, and a switch moves them all. Loop thread unless said.
 */
final class ServerUplinks {
    private static final Logger log = LoggerFactory.getLogger(ServerUplinks.class);

    /**
     * One server: its uplink now, those retired when a draining node said MOVING (their open streams finish
     * there), and, when the server was given by name, the resolver of its addresses.
     */
    private static final class Slot {
        final ClientConfig config;
        Uplink current;
        /** The uplink that takes over from {@code current} once its new session is up (its node drains). */
        Uplink next;
        final List<Uplink> retiring = new ArrayList<>();
        ServerNameResolver resolver;

        Slot(ClientConfig config) {
            this.config = config;
        }

        List<Uplink> uplinks() {
            List<Uplink> all = new ArrayList<>(retiring);
            all.add(0, current);
            if (next != null) {
                all.add(next);
            }
            return all;
        }
    }

    /** How often retired uplinks are checked for streams left; one without any ends its session. */
    private static final long RETIREMENT_CHECK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(250);

    private final EngineContext engine;
    private final InterfaceTable table = new InterfaceTable();
    private final List<Slot> slots = new ArrayList<>();
    /** Whether some uplink roams (the others' servers are on this machine). */
    private boolean roaming;
    private boolean retirementChecks;
    /** Sessions moved off a draining node since start. */
    private long handoffs;

    ServerUplinks(EngineContext engine, ClientConfig config) {
        this.engine = engine;
        for (Upstream server : config.upstreams()) {
            Slot slot = new Slot(config.forUpstream(server));
            InetSocketAddress address = server.address();
            if (HostPort.isName(address.getHostString())) {
                slot.resolver = new ServerNameResolver(address.getHostString(), address.getPort(), engine.loop(),
                        resolved -> slot.uplinks().forEach(u -> u.onServerAddresses(resolved)));
            }
            slot.current = newUplink(slot);
            roaming |= slot.current.roaming();
            slots.add(slot);
        }
    }

    private Uplink newUplink(Slot slot) {
        Uplink uplink = new Uplink(engine, slot.config, table);
        uplink.resolveWith(slot.resolver != null ? slot.resolver::refresh : () -> { });
        uplink.onMoving(() -> moveOff(slot, uplink));
        return uplink;
    }

    /**
     * The node holding {@code old}'s session drains (MOVING): a new session starts through the balancer (on
     * another node); once it is up it takes the server's new streams, and {@code old} keeps its open streams
     * until they end. Until then new streams still go to {@code old}: the draining node takes them.
     */
    private void moveOff(Slot slot, Uplink old) {
        if (old != slot.current || slot.next != null
                || !io.roamtun.protocol.Capabilities.has(old.session().capabilities(), io.roamtun.protocol.Capabilities.FLEET)) {
            return;
        }
        log.info("session {}{}: its node is draining; starting a new session for new streams", old.session().label(),
                old.upstream().name().isEmpty() ? "" : " with server " + old.upstream().name());
        slot.next = newUplink(slot);
        slot.next.start();
        if (!retirementChecks) {
            retirementChecks = true;
            engine.loop().schedule(RETIREMENT_CHECK_NANOS, this::checkRetired);
        }
    }

    /**
     * Hands a server's new streams to its next uplink once that session is up; ends retired sessions whose
     * streams are done (every byte acknowledged), and forgets retired uplinks that stopped.
     */
    private void checkRetired() {
        for (Slot slot : slots) {
            if (slot.next != null && slot.next.state() == UplinkState.ACTIVE) {
                Uplink old = slot.current;
                log.info("session {}: its node is draining; new streams go to session {}, the {} open there finish first",
                        old.session().label(), slot.next.session().label(), old.session().streamCount());
                old.retire();
                handoffs++;
                slot.retiring.add(old);
                slot.current = slot.next;
                slot.next = null;
            }
            for (Uplink old : new ArrayList<>(slot.retiring)) {
                if (old.state() == UplinkState.STOPPED) {
                    slot.retiring.remove(old);
                } else if (old.session().streamCount() == 0 && old.session().unacknowledgedBytes() == 0 && old.activeLink() != null) {
                    log.info("session {}: its streams are done; closed, as its node drains", old.session().label());
                    old.stop();
                    slot.retiring.remove(old);
                }
            }
        }
        retirementChecks = slots.stream().anyMatch(s -> !s.retiring.isEmpty() || s.next != null);
        if (retirementChecks) {
            engine.loop().schedule(RETIREMENT_CHECK_NANOS, this::checkRetired);
        }
    }

    long handoffs() {
        return handoffs;
    }

    /** Every uplink: each server's current one, those retiring and the next, in the order the servers were given. */
    List<Uplink> all() {
        return slots.stream().flatMap(s -> s.uplinks().stream()).toList();
    }

    /** Each server's uplink now, in the order the servers were given. */
    List<Uplink> current() {
        return slots.stream().map(s -> s.current).toList();
    }

    /** Uplinks whose node drains, with streams still open. */
    List<Uplink> retiring() {
        return slots.stream().flatMap(s -> s.retiring.stream()).toList();
    }

    /** The uplink to the server named {@code server} ("": the only one), or null when there is no such server. */
    Uplink forServer(String server) {
        for (Slot s : slots) {
            if (s.current.upstream().serves(server, slots.size())) {
                return s.current;
            }
        }
        return null;
    }

    /** The uplink to the only server, or to the first one given. */
    Uplink first() {
        return slots.get(0).current;
    }

    boolean several() {
        return slots.size() > 1;
    }

    InterfaceTable table() {
        return table;
    }

    /** Starts every uplink with the interface table as {@code firstPoll} says. */
    void start(List<InterfaceSnapshot> firstPoll) {
        if (roaming) {
            table.update(firstPoll);
            log.info("interface table: {}", table.all());
        }
        slots.forEach(s -> s.current.start());
    }

    /** A new poll of the interfaces: the table changes once, and every uplink acts on what changed. */
    void onInterfacePoll(List<InterfaceSnapshot> poll) {
        List<InterfaceEvent> events = table.update(poll);
        if (!events.isEmpty()) {
            log.info("interface table changed: {}", events);
        }
        all().forEach(u -> u.onInterfaceEvents(events));
    }

    /** Starts looking up the servers given by name. Any thread. */
    void startResolvers() {
        slots.stream().filter(s -> s.resolver != null).forEach(s -> s.resolver.start());
    }

    /** Any thread. */
    void closeResolvers() {
        slots.stream().filter(s -> s.resolver != null).forEach(s -> s.resolver.close());
    }

    void stop() {
        all().forEach(Uplink::stop);
    }

    /** Streams open over every session. */
    int streamCount() {
        int streams = 0;
        for (Slot s : slots) {
            streams += s.current.session().streamCount() + (s.next != null ? s.next.session().streamCount() : 0);
            for (Uplink old : s.retiring) {
                streams += old.session().streamCount();
            }
        }
        return streams;
    }

    boolean roaming() {
        return roaming;
    }

    /** The figures of every session added up, with {@code refusedSources} (gateway mode's refusals). */
    AgentFigures figures(long refusedSources) {
        List<Uplink> all = all();
        AgentFigures total = ClientStatusJson.figures(all.get(0), refusedSources);
        for (Uplink u : all.subList(1, all.size())) {
            total = total.plus(ClientStatusJson.figures(u, 0));
        }
        return total;
    }

    /**
     * Moves every uplink to interface {@code name}, make-before-break, each on its own; {@code done} gets a
     * line per server once all have moved, {@code failed} a line per server that could not (its server down,
     * say), then one per server that did.
     */
    void switchTo(String name, Consumer<String> done, Consumer<String> failed) {
        if (!several()) {
            first().switchTo(name, done, failed);
            return;
        }
        List<String> moved = new ArrayList<>();
        List<String> notMoved = new ArrayList<>();
        List<Uplink> current = current();
        int[] left = {current.size()};
        Runnable oneMore = () -> {
            if (--left[0] == 0) {
                String ok = String.join("\n", moved);
                if (notMoved.isEmpty()) {
                    done.accept(ok);
                } else {
                    failed.accept(String.join("\n", notMoved) + (moved.isEmpty() ? "" : "\n" + ok));
                }
            }
        };
        for (Uplink uplink : current) {
            String server = uplink.upstream().name();
            uplink.switchTo(name, line -> {
                moved.add(server + ": " + line);
                oneMore.run();
            }, why -> {
                notMoved.add(server + ": " + why);
                oneMore.run();
            });
        }
    }
}
