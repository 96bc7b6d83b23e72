package io.roamtun.client;

import io.roamtun.client.uplink.Uplink;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.text.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The listening sockets of the forwards, one per forward: bound all or nothing at start, then changed one
 * by one by a reload (a forward no longer wanted stops listening, its open connections carry on; a new one
 * is bound). A forward on an address of an interface (gateway mode) follows that address: while it is not
 * on the machine (the LAN changed, the cable is out) the forward waits, and it listens again when the
 * address comes back ({@link #recheckAddresses}). Who may connect is {@link SourceFilter}'s; the others are
 * turned away and counted. Loop thread once the service runs.
 */
final class ForwardPorts {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ForwardPorts.class);
    /** A forward's listening socket and the address it got (its port resolved when 0 was asked for). */
    private record Port(ServerSocketChannel channel, InetSocketAddress address) {
        void close() {
            closeQuietly(channel);
        }
    }

    private final Map<Forward, Port> open = new LinkedHashMap<>();
    /** Of each --http-resume forward, the loopback port its relays connect to, whose connections become streams. */
    private final Map<Forward, ServerSocketChannel> tunnelPorts = new LinkedHashMap<>();
    private final io.roamtun.client.http.HttpResumeFigures httpFigures = new io.roamtun.client.http.HttpResumeFigures();

    /** What the --http-resume forwards did since start. */
    io.roamtun.client.http.HttpResumeFigures httpResumes() {
        return httpFigures;
    }

    boolean anyHttpResume() {
        return open.keySet().stream().anyMatch(Forward::httpResume);
    }
    /** Forwards on an interface address that is not on the machine now: bound when it comes back. */
    private final Set<Forward> waiting = new LinkedHashSet<>();
    private SourceFilter sources = SourceFilter.loopbackOnly();
    private long refusedSources;
    /** The uplink that carries a forward's connections (the one to the server it names), null for an unknown server. */
    private final java.util.function.Function<Forward, Uplink> route;

    ForwardPorts(java.util.function.Function<Forward, Uplink> route) {
        this.route = route;
    }

    /**
     * Binds every forward's port, or none (the ones bound are closed again) and says which failed; a forward
     * on an interface address that is not on the machine now waits for it instead.
     */
    void bindAll(List<Forward> forwards) throws IOException {
        try {
            for (Forward forward : forwards) {
                if (addressAbsent(forward)) {
                    waiting.add(forward);
                    log.warn("forward {}: {} is not on any interface now; listening once it is", forward,
                            forward.listen().getAddress().getHostAddress());
                } else {
                    bind(forward);
                }
            }
        } catch (IOException e) {
            closeAll();
            throw e;
        }
    }

    /** A forward on an interface address that is not on the machine now. */
    private static boolean addressAbsent(Forward forward) {
        return onInterfaceAddress(forward) && !LocalAddresses.isLocal(forward.listen().getAddress());
    }

    /** A forward on one address of one interface: neither loopback nor a wildcard (0.0.0.0, ::). */
    private static boolean onInterfaceAddress(Forward forward) {
        java.net.InetAddress a = forward.listen().getAddress();
        return !a.isLoopbackAddress() && !a.isAnyLocalAddress();
    }

    /** Who may connect from now on (start, reload). */
    void allowFrom(SourceFilter filter) {
        this.sources = filter;
    }

    /** Whether {@code source} may connect to a forward; a refusal is counted. Loop thread. */
    boolean admit(java.net.InetAddress source) {
        if (sources.allows(source)) {
            return true;
        }
        refusedSources++;
        return false;
    }

    long refusedSources() {
        return refusedSources;
    }

    SourceFilter sources() {
        return sources;
    }

    /** Forwards waiting for their address. */
    List<Forward> waiting() {
        return List.copyOf(waiting);
    }

    /** Whether some forward follows an interface address (then {@link #recheckAddresses} is worth running). */
    boolean followsAddresses() {
        return open.keySet().stream().anyMatch(ForwardPorts::onInterfaceAddress) || !waiting.isEmpty();
    }

    /**
     * Stops listening on addresses that left the machine and listens again on those that came back. Loop
     * thread; reads the machine's addresses (a few system calls) only when some forward follows one.
     */
    void recheckAddresses(EventLoop loop) {
        for (Forward forward : new ArrayList<>(open.keySet())) {
            if (addressAbsent(forward)) {
                removeOpen(forward).close();
                waiting.add(forward);
                log.warn("forward {}: its address left the machine; stopped listening, listening again when it is back", forward);
            }
        }
        for (Forward forward : new ArrayList<>(waiting)) {
            if (LocalAddresses.isLocal(forward.listen().getAddress())) {
                try {
                    Port port = bind(forward);
                    accept(loop, forward, port.channel());
                    waiting.remove(forward);
                    log.info("forward {}: its address is back; listening again", forward);
                } catch (IOException e) {
                    Port half = removeOpen(forward);
                    if (half != null) {
                        half.close();
                    }
                    log.warn("forward {}: its address is back but listening failed: {}; trying again", forward, e.getMessage());
                }
            }
        }
    }

    private Port bind(Forward forward) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(forward.listen(), 1024);
            channel.configureBlocking(false);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot listen on " + HostPort.format(forward.listen()) + " for service "
                    + forward.service() + ": " + e.getMessage(), e);
        }
        Port port = new Port(channel, (InetSocketAddress) channel.getLocalAddress());
        open.put(forward, port);
        return port;
    }

    /** Forgets {@code forward}'s port (the caller closes it), closing its tunnel port if it has one; null if not open. */
    private Port removeOpen(Forward forward) {
        ServerSocketChannel tunnel = tunnelPorts.remove(forward);
        if (tunnel != null) {
            closeQuietly(tunnel);
        }
        return open.remove(forward);
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Starts accepting on every bound port (loop thread). */
    void acceptAll(EventLoop loop) throws IOException {
        for (Map.Entry<Forward, Port> e : open.entrySet()) {
            accept(loop, e.getKey(), e.getValue().channel());
        }
    }

    private void accept(EventLoop loop, Forward forward, ServerSocketChannel channel) throws IOException {
        Uplink uplink = route.apply(forward);
        if (uplink == null) { // (a reload naming a server this client-service was not started with)
            throw new IOException("no server named " + forward.server() + " (servers are set at start)");
        }
        java.util.function.Supplier<Uplink> uplinkNow = () -> route.apply(forward);
        if (!forward.httpResume()) {
            loop.register(channel, SelectionKey.OP_ACCEPT, new ForwardListener(forward, channel, uplinkNow, loop, this::admit));
            return;
        }
        ServerSocketChannel tunnel = ServerSocketChannel.open();
        try {
            tunnel.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 1024);
            tunnel.configureBlocking(false);
            loop.register(tunnel, SelectionKey.OP_ACCEPT, new ForwardListener(forward, tunnel, uplinkNow, loop, this::admit));
            loop.register(channel, SelectionKey.OP_ACCEPT, new ForwardListener(forward, channel, uplinkNow, loop,
                    this::admit, (InetSocketAddress) tunnel.getLocalAddress(), httpFigures));
        } catch (IOException e) {
            tunnel.close();
            throw e;
        }
        ServerSocketChannel before = tunnelPorts.put(forward, tunnel);
        if (before != null) {
            before.close();
        }
    }

    /** Where each forward listens, in the order given (ports resolved when 0 was asked for). */
    List<InetSocketAddress> addresses() {
        return open.values().stream().map(Port::address).toList();
    }

    Map<Forward, InetSocketAddress> byForward() {
        Map<Forward, InetSocketAddress> addresses = new LinkedHashMap<>();
        open.forEach((forward, port) -> addresses.put(forward, port.address()));
        return addresses;
    }

    /** Stops listening on every port; accepted connections are not touched. */
    void closeAll() {
        open.values().forEach(Port::close);
        open.clear();
        tunnelPorts.values().forEach(ForwardPorts::closeQuietly);
        tunnelPorts.clear();
        waiting.clear();
    }

    /**
     * A reload: stops listening for the forwards not in {@code wanted} and starts the new ones (loop thread).
     * Returns a line per change; a new forward that cannot be bound is said and left out.
     */
    List<String> reconcile(List<Forward> wanted, EventLoop loop) {
        List<String> changes = new ArrayList<>();
        for (Forward forward : new ArrayList<>(waiting)) {
            if (!wanted.contains(forward)) {
                waiting.remove(forward);
                changes.add("forward " + forward + " removed (it was waiting for its address)");
            }
        }
        for (Forward forward : new ArrayList<>(open.keySet())) {
            if (!wanted.contains(forward)) {
                Port port = removeOpen(forward);
                port.close();
                changes.add("forward " + HostPort.format(port.address()) + "=" + forward.target()
                        + " removed (its open connections carry on)");
            }
        }
        for (Forward forward : wanted) {
            if (open.containsKey(forward) || waiting.contains(forward)) {
                continue;
            }
            if (addressAbsent(forward)) {
                waiting.add(forward);
                changes.add("forward " + forward + " added, waiting for its address to be on an interface");
                continue;
            }
            Port port = null;
            try {
                port = bind(forward);
                accept(loop, forward, port.channel());
                changes.add("forward " + HostPort.format(port.address()) + "=" + forward.target() + " added");
            } catch (IOException e) {
                if (port != null) { // bound, but the loop would not take it
                    removeOpen(forward);
                    port.close();
                }
                changes.add("forward " + HostPort.format(forward.listen()) + "=" + forward.target() + " NOT added: " + e.getMessage());
            }
        }
        return changes;
    }
}
