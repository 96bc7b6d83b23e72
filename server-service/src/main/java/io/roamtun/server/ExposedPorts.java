package io.roamtun.server;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.SessionState;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.IoErrors;
import io.roamtun.protocol.Capabilities;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ExposeResult;
import io.roamtun.protocol.Hello;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ports clients exposed (reverse streams and reverse UDP): an {@link ExposedListener} per port, each
 * belonging to one session. A listener lives as long as its session, suspended or not (connections and
 * datagrams that come meanwhile wait in the session, within its bounds, until it resumes or expires); when
 * the session ends it closes, and the client's next session listens again. A port held by a session of the
 * same client (its earlier session, not yet expired) is taken over by the new one; held by another client,
 * or by another program, it is refused. Each client's ports listen on its own address when it has one
 * ({@link ExposeAddresses}), so clients that expose the same port do not collide. Loop thread.
 */
final class ExposedPorts {
    private static final Logger log = LoggerFactory.getLogger(ExposedPorts.class);

    /** The WELCOME's answers: one per TCP port asked, one per UDP port asked. */
    record Answers(List<ExposeResult> tcp, List<ExposeResult> udp) {
        static final Answers NONE = new Answers(List.of(), List.of());

        boolean isEmpty() {
            return tcp.isEmpty() && udp.isEmpty();
        }

        @Override
        public String toString() {
            return tcp + (udp.isEmpty() ? "" : " udp " + udp);
        }
    }

    private final EventLoop loop;
    /** True while the server drains: new reverse connections are closed, as new streams are refused. */
    private final BooleanSupplier draining;
    private final ExposeAddresses addresses = new ExposeAddresses(InetAddress.getLoopbackAddress());
    private final Map<ExposedListener.Key, ExposedListener> listeners = new LinkedHashMap<>();

    ExposedPorts(EventLoop loop, BooleanSupplier draining) {
        this.loop = loop;
        this.draining = draining;
    }

    /**
     * Listens on the ports {@code hello} asks for, for {@code session} of client {@code owner} ("" without
     * authentication), where {@code policy} and the client's own line allow; the answers, in the HELLO's order.
     */
    Answers answer(Session session, String owner, ClientCredentials.Client client, ExposePolicy policy, Hello hello,
                   ClientCredentials clients) {
        if (!Capabilities.has(hello.capabilities(), Capabilities.REVERSE_STREAMS)
                || hello.exposes().isEmpty() && hello.udpExposes().isEmpty()) {
            return Answers.NONE;
        }
        String who = owner.isEmpty() ? "the client on link " + session.label() : "client " + owner;
        Object holder = holder(session, owner);
        InetAddress address = addresses.addressFor(holder, client == null ? null : client.exposeAddress(), policy.addressPool(),
                policy.addressPool() == null || clients == null ? java.util.Set.of() : clients.fixedExposeAddresses());
        if (address == null) {
            log.warn("{} asked to expose ports: no address left in --expose-address-pool {}; refused", who, policy.addressPool());
            return new Answers(refuseAll(hello.exposes()), refuseAll(hello.udpExposes()));
        }
        List<ExposeResult> tcp = new ArrayList<>();
        List<ExposeResult> udp = new ArrayList<>();
        for (int port : hello.exposes()) {
            tcp.add(listenOne(session, owner, who, client, policy.ports(), new ExposedListener.Key(false, new InetSocketAddress(address, port))));
        }
        for (int port : hello.udpExposes()) {
            udp.add(listenOne(session, owner, who, client, policy.ports(), new ExposedListener.Key(true, new InetSocketAddress(address, port))));
        }
        releaseAddressIfUnused(holder);
        return new Answers(tcp, udp);
    }

    private static List<ExposeResult> refuseAll(List<Integer> ports) {
        return ports.stream().map(port -> ExposeResult.refused(port, ErrorCode.LIMIT_EXCEEDED)).toList();
    }

    /** Whose address a listener uses: the client's, by name; without authentication, the session's own. */
    private static Object holder(Session session, String owner) {
        return owner.isEmpty() ? session : "client " + owner;
    }

    private ExposeResult listenOne(Session session, String owner, String who, ClientCredentials.Client client, PortRanges allowed,
                                   ExposedListener.Key key) {
        int port = key.at().getPort();
        InetAddress bindAddress = key.at().getAddress();
        String what = (key.udp() ? "UDP port " : "port ") + port;
        if (!mayExpose(allowed, client, port)) {
            log.warn("{} asked to expose {}: not allowed (--allow-expose '{}'{}); refused", who, what, allowed,
                    client == null ? "" : ", its own line '" + client.expose() + "'");
            return ExposeResult.refused(port, ErrorCode.EXPOSE_NOT_ALLOWED);
        }
        ExposedListener held = listeners.get(key);
        if (held != null) {
            // Its own earlier session (the client restarted, or lost that session for good): the new one takes
            // the port. Without authentication every client is "", so only a session nobody carries is taken.
            boolean sameClient = held.owner.equals(owner) && (!owner.isEmpty() || held.session.state() != SessionState.ACTIVE);
            if (!sameClient) {
                log.warn("{} asked to expose {}: {} holds it; refused", who, what, held.describeHolder());
                return ExposeResult.refused(port, ErrorCode.PORT_IN_USE);
            }
            // The listening socket passes to the new session as it is: closing it and binding again would fail,
            // since a channel registered with a selector is closed only at the loop's next select.
            log.info("port {}: taken over by {} from its earlier session {}", key, who, held.session.label());
            held.previous = held.session;
            held.previousOwner = held.owner;
            held.session = session;
            held.owner = owner;
            return ExposeResult.listening(port, bindAddress);
        }
        try {
            listeners.put(key, ExposedListener.open(key, holder(session, owner), owner, session, loop, draining));
            log.info("listening on {} for {} (reverse {} to its --expose{} {})", key, who, key.udp() ? "datagrams" : "streams",
                    key.udp() ? "-udp" : "", port);
            return ExposeResult.listening(port, bindAddress);
        } catch (IOException e) {
            log.warn("{} asked to expose {}: cannot listen on {}: {}; refused", who, what, HostPort.format(key.at()), IoErrors.reason(e));
            return ExposeResult.refused(port, e instanceof BindException ? ErrorCode.PORT_IN_USE : ErrorCode.INTERNAL_ERROR);
        }
    }

    /** {@code session}'s HELLO was accepted: the ports it took over are its own now. */
    void confirm(Session session) {
        listeners.values().stream().filter(l -> l.session == session).forEach(l -> l.previous = null);
    }

    /**
     * The session ended (or never started): its listeners close, and their ports are free again; one it took
     * over in a HELLO that was then refused goes back to the session that held it.
     */
    void release(Session session) {
        for (ExposedListener listener : new ArrayList<>(listeners.values())) {
            if (listener.session == session && listener.previous != null && !listener.previous.isClosed()) {
                listener.session = listener.previous;
                listener.owner = listener.previousOwner;
                listener.previous = null;
            } else if (listener.session == session) {
                stopListening(listener);
                log.info("session {}: stopped listening on {}", session.label(), listener.key);
            }
        }
    }

    /**
     * The allowed ports changed (a reload, an edited clients file): ports no longer allowed to the client
     * holding them stop listening; their open connections carry on. The client learns it from its next
     * session's WELCOME.
     */
    void recheck(ExposePolicy policy, ClientCredentials clients) {
        for (ExposedListener listener : new ArrayList<>(listeners.values())) {
            int port = listener.key.at().getPort();
            ClientCredentials.Client client = clients == null || listener.owner.isEmpty() ? null : clients.find(listener.owner);
            if (!mayExpose(policy.ports(), client, port)) {
                stopListening(listener);
                log.warn("{} no longer allowed to {}: stopped listening on it", listener.key, listener.describeHolder());
            }
        }
    }

    /** A port is the client's to expose when the server allows it to all, or the client's own line does. */
    private static boolean mayExpose(PortRanges allowed, ClientCredentials.Client client, int port) {
        return allowed.contains(port) || client != null && client.expose().contains(port);
    }

    private void stopListening(ExposedListener listener) {
        listeners.remove(listener.key);
        listener.close();
        releaseAddressIfUnused(listener.holder);
    }

    /** A holder's pool address goes back once none of its ports listens on it. */
    private void releaseAddressIfUnused(Object holder) {
        if (listeners.values().stream().noneMatch(l -> l.holder.equals(holder))) {
            addresses.release(holder);
        }
    }

    /** "[udp ]ADDRESS:PORT -> client NAME session ID (...)" lines, for status. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        listeners.values().forEach(l -> lines.add(l.key + " -> " + l.describeHolder() + " (" + l.describeTraffic() + ")"));
        return lines;
    }

    /** For 'status --json': a record per listener. */
    List<Map<String, Object>> asJson() {
        List<Map<String, Object>> all = new ArrayList<>();
        for (ExposedListener l : listeners.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("protocol", l.key.udp() ? "udp" : "tcp");
            m.put("address", l.key.at().getAddress().getHostAddress());
            m.put("port", l.key.at().getPort());
            m.put("client", l.owner);
            m.put("session", l.session.id() != null ? l.session.id().toString() : null);
            m.put("connections", l.connections());
            all.add(m);
        }
        return all;
    }
}
