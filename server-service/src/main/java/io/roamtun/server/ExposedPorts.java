package io.roamtun.server;

import io.roamtun.engine.loop.AcceptBackoff;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.SessionState;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.IoErrors;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ExposeResult;
import io.roamtun.protocol.ServiceNames;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ports clients exposed (reverse streams): a listener per port, each belonging to one session, which
 * opens a stream to its client for every connection a backend app makes there. A listener lives as long as
 * its session, suspended or not (connections made while the client is away wait in the session, within its
 * stream limit, until it resumes or times out); when the session ends it closes, and the client's next
 * session listens again. A port held by a session of the same client (its earlier session, not yet expired)
 * is taken over by the new one; held by another client, or by another program, it is refused. Each client's
 * ports listen on its own address when it has one ({@link ExposeAddresses}), so clients that expose the same
 * port do not collide. Loop thread.
 */
final class ExposedPorts {
    private static final Logger log = LoggerFactory.getLogger(ExposedPorts.class);
    private static final int ACCEPTS_PER_EVENT = 64;

    private final EventLoop loop;
    /** True while the server drains: new reverse connections are closed, as new streams are refused. */
    private final BooleanSupplier draining;
    private final ExposeAddresses addresses = new ExposeAddresses(InetAddress.getLoopbackAddress());
    private final Map<InetSocketAddress, Listener> listeners = new LinkedHashMap<>();

    ExposedPorts(EventLoop loop, BooleanSupplier draining) {
        this.loop = loop;
        this.draining = draining;
    }

    /**
     * Listens on each of {@code ports} for {@code session} of client {@code owner} ("" without
     * authentication), where {@code policy} and the client's own line allow; the answer to each, in order.
     */
    List<ExposeResult> listen(Session session, String owner, ClientCredentials.Client client, ExposePolicy policy, List<Integer> ports) {
        List<ExposeResult> results = new ArrayList<>(ports.size());
        if (ports.isEmpty()) {
            return results;
        }
        String who = owner.isEmpty() ? "the client on link " + session.label() : "client " + owner;
        Object holder = holder(session, owner);
        InetAddress address = addresses.addressFor(holder, client == null ? null : client.exposeAddress(), policy.addressPool());
        if (address == null) {
            log.warn("{} asked to expose ports {}: no address left in --expose-address-pool {}; refused", who, ports, policy.addressPool());
            ports.forEach(port -> results.add(ExposeResult.refused(port, ErrorCode.LIMIT_EXCEEDED)));
            return results;
        }
        for (int port : ports) {
            results.add(listenOne(session, owner, who, client, policy.ports(), new InetSocketAddress(address, port)));
        }
        if (listeners.values().stream().noneMatch(l -> l.holder.equals(holder))) {
            addresses.release(holder);
        }
        return results;
    }

    /** Whose address a listener uses: the client's, by name; without authentication, the session's own. */
    private static Object holder(Session session, String owner) {
        return owner.isEmpty() ? session : "client " + owner;
    }

    private ExposeResult listenOne(Session session, String owner, String who, ClientCredentials.Client client, PortRanges allowed,
                                   InetSocketAddress at) {
        int port = at.getPort();
        InetAddress bindAddress = at.getAddress();
        if (!allowed.contains(port) && (client == null || !client.expose().contains(port))) {
            log.warn("{} asked to expose port {}: not allowed (--allow-expose '{}'{}); refused", who, port, allowed,
                    client == null ? "" : ", its own line '" + client.expose() + "'");
            return ExposeResult.refused(port, ErrorCode.EXPOSE_NOT_ALLOWED);
        }
        Listener held = listeners.get(at);
        if (held != null) {
            // Its own earlier session (the client restarted, or lost that session for good): the new one takes
            // the port. Without authentication every client is "", so only a session nobody carries is taken.
            boolean sameClient = held.owner.equals(owner) && (!owner.isEmpty() || held.session.state() != SessionState.ACTIVE);
            if (!sameClient) {
                log.warn("{} asked to expose port {}: {} holds it; refused", who, port, held.describeHolder());
                return ExposeResult.refused(port, ErrorCode.PORT_IN_USE);
            }
            // The listening socket passes to the new session as it is: closing it and binding again would fail,
            // since a channel registered with a selector is closed only at the loop's next select.
            log.info("port {}: taken over by {} from its earlier session {}", HostPort.format(at), who, held.session.label());
            held.session = session;
            held.owner = owner;
            return ExposeResult.listening(port, bindAddress);
        }
        ServerSocketChannel channel = null;
        try {
            channel = ServerSocketChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(at, 128);
            channel.configureBlocking(false);
            Listener listener = new Listener(at, owner, holder(session, owner), session, channel);
            listener.key = loop.register(channel, SelectionKey.OP_ACCEPT, listener);
            listeners.put(at, listener);
            log.info("listening on {} for {} (reverse streams to its --expose {})",
                    HostPort.format((InetSocketAddress) channel.getLocalAddress()), who, port);
            return ExposeResult.listening(port, bindAddress);
        } catch (IOException e) {
            closeQuietly(channel);
            boolean inUse = e instanceof BindException;
            log.warn("{} asked to expose port {}: cannot listen on {}: {}; refused", who, port, HostPort.format(at), IoErrors.reason(e));
            return ExposeResult.refused(port, inUse ? ErrorCode.PORT_IN_USE : ErrorCode.INTERNAL_ERROR);
        }
    }

    /** The session ended (or never started): its listeners close, and their ports are free again. */
    void release(Session session) {
        for (Listener listener : new ArrayList<>(listeners.values())) {
            if (listener.session == session) {
                listener.close();
                log.info("session {}: stopped listening on {}", session.label(), HostPort.format(listener.at));
                if (listeners.values().stream().noneMatch(l -> l.holder.equals(listener.holder))) {
                    addresses.release(listener.holder);
                }
            }
        }
    }

    /** "PORT -> client NAME session ID" lines, for status. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        listeners.values().forEach(l -> lines.add(HostPort.format(l.at) + " -> " + l.describeHolder() + " (" + l.accepted
                + " connections)"));
        return lines;
    }

    /** For 'status --json': a record per listener. */
    List<Map<String, Object>> asJson() {
        List<Map<String, Object>> all = new ArrayList<>();
        for (Listener l : listeners.values()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("address", l.at.getAddress().getHostAddress());
            m.put("port", l.port);
            m.put("client", l.owner);
            m.put("session", l.session.id() != null ? l.session.id().toString() : null);
            m.put("connections", l.accepted);
            all.add(m);
        }
        return all;
    }

    int count() {
        return listeners.size();
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private final class Listener implements IoHandler {
        final InetSocketAddress at;
        final int port;
        final Object holder;
        String owner;
        Session session;
        final ServerSocketChannel channel;
        final AcceptBackoff backoff;
        SelectionKey key;
        long accepted;

        Listener(InetSocketAddress at, String owner, Object holder, Session session, ServerSocketChannel channel) {
            this.at = at;
            this.port = at.getPort();
            this.holder = holder;
            this.owner = owner;
            this.session = session;
            this.channel = channel;
            this.backoff = new AcceptBackoff(loop, log, "exposed port " + port);
        }

        String describeHolder() {
            return (owner.isEmpty() ? "" : "client " + owner + " ") + "session " + session.label();
        }

        @Override
        public void onReady(SelectionKey ready) {
            for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
                SocketChannel connection;
                try {
                    connection = channel.accept();
                } catch (IOException e) {
                    backoff.failed(ready, e);
                    return;
                }
                if (connection == null) {
                    return;
                }
                backoff.accepted();
                if (draining.getAsBoolean()) {
                    log.info("exposed port {}: connection closed: the server-service is draining", port);
                    closeQuietly(connection);
                    continue;
                }
                accepted++;
                try {
                    connection.configureBlocking(false);
                    connection.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    session.openStream(connection, ServiceNames.exposed(port));
                } catch (IOException e) {
                    log.info("exposed port {}: dropped a connection: {}", port, IoErrors.reason(e));
                    closeQuietly(connection);
                }
            }
        }

        void close() {
            listeners.remove(at, this);
            if (key != null) {
                key.cancel();
            }
            closeQuietly(channel);
        }

        @Override
        public void onFailure(Throwable bug) {
            log.error("exposed port {} failed; still accepting", port, bug);
        }
    }
}
