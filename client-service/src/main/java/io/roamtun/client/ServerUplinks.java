package io.roamtun.client;

import io.roamtun.client.paths.InterfaceEvent;
import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceTable;
import io.roamtun.client.uplink.Uplink;
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

    /** One server's uplink and, when the server was given by name, the resolver of its addresses. */
    private record Member(Uplink uplink, ServerNameResolver resolver) {}

    private final InterfaceTable table = new InterfaceTable();
    private final List<Member> members = new ArrayList<>();
    /** Whether some uplink roams (the others' servers are on this machine). */
    private boolean roaming;

    ServerUplinks(EngineContext engine, ClientConfig config) {
        for (Upstream server : config.upstreams()) {
            Uplink uplink = new Uplink(engine, config.forUpstream(server), table);
            roaming |= uplink.roaming();
            InetSocketAddress address = server.address();
            ServerNameResolver resolver = HostPort.isName(address.getHostString())
                    ? new ServerNameResolver(address.getHostString(), address.getPort(), engine.loop(), uplink::onServerAddresses) : null;
            uplink.resolveWith(resolver != null ? resolver::refresh : () -> { });
            members.add(new Member(uplink, resolver));
        }
    }

    /** Every uplink, in the order the servers were given. */
    List<Uplink> all() {
        return members.stream().map(Member::uplink).toList();
    }

    /** The uplink to the server named {@code server} ("": the only one), or null when there is no such server. */
    Uplink forServer(String server) {
        for (Member m : members) {
            if (m.uplink.upstream().serves(server, members.size())) {
                return m.uplink;
            }
        }
        return null;
    }

    /** The uplink to the only server, or to the first one given. */
    Uplink first() {
        return members.get(0).uplink;
    }

    boolean several() {
        return members.size() > 1;
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
        members.forEach(m -> m.uplink.start());
    }

    /** A new poll of the interfaces: the table changes once, and every uplink acts on what changed. */
    void onInterfacePoll(List<InterfaceSnapshot> poll) {
        List<InterfaceEvent> events = table.update(poll);
        if (!events.isEmpty()) {
            log.info("interface table changed: {}", events);
        }
        members.forEach(m -> m.uplink.onInterfaceEvents(events));
    }

    /** Starts looking up the servers given by name. Any thread. */
    void startResolvers() {
        members.stream().filter(m -> m.resolver != null).forEach(m -> m.resolver.start());
    }

    /** Any thread. */
    void closeResolvers() {
        members.stream().filter(m -> m.resolver != null).forEach(m -> m.resolver.close());
    }

    void stop() {
        members.forEach(m -> m.uplink.stop());
    }

    /** Streams open over every session. */
    int streamCount() {
        return members.stream().mapToInt(m -> m.uplink.session().streamCount()).sum();
    }

    boolean roaming() {
        return roaming;
    }

    /** The figures of every session added up, with {@code refusedSources} (gateway mode's refusals). */
    AgentFigures figures(long refusedSources) {
        AgentFigures total = ClientStatusJson.figures(members.get(0).uplink, refusedSources);
        for (Member m : members.subList(1, members.size())) {
            total = total.plus(ClientStatusJson.figures(m.uplink, 0));
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
        int[] left = {members.size()};
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
        for (Member m : members) {
            String server = m.uplink.upstream().name();
            m.uplink.switchTo(name, line -> {
                moved.add(server + ": " + line);
                oneMore.run();
            }, why -> {
                notMoved.add(server + ": " + why);
                oneMore.run();
            });
        }
    }
}
