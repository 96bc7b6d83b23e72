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
import java.util.Map;

/**
 * The listening sockets of the forwards, one per forward: bound all or nothing at start, then changed one
 * by one by a reload (a forward no longer wanted stops listening, its open connections carry on; a new one
 * is bound). Loop thread once the service runs.
 */
final class ForwardPorts {
    /** A forward's listening socket and the address it got (its port resolved when 0 was asked for). */
    private record Port(ServerSocketChannel channel, InetSocketAddress address) {
        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private final Map<Forward, Port> open = new LinkedHashMap<>();

    /** Binds every forward's port, or none (the ones bound are closed again) and says which failed. */
    void bindAll(List<Forward> forwards) throws IOException {
        try {
            for (Forward forward : forwards) {
                bind(forward);
            }
        } catch (IOException e) {
            closeAll();
            throw e;
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

    /** Starts accepting on every bound port (loop thread). */
    void acceptAll(EventLoop loop, Uplink uplink) throws IOException {
        for (Map.Entry<Forward, Port> e : open.entrySet()) {
            accept(loop, uplink, e.getKey(), e.getValue().channel());
        }
    }

    private static void accept(EventLoop loop, Uplink uplink, Forward forward, ServerSocketChannel channel) throws IOException {
        loop.register(channel, SelectionKey.OP_ACCEPT, new ForwardListener(forward, channel, uplink, loop));
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
    }

    /**
     * A reload: stops listening for the forwards not in {@code wanted} and starts the new ones (loop thread).
     * Returns a line per change; a new forward that cannot be bound is said and left out.
     */
    List<String> reconcile(List<Forward> wanted, EventLoop loop, Uplink uplink) {
        List<String> changes = new ArrayList<>();
        for (Forward forward : new ArrayList<>(open.keySet())) {
            if (!wanted.contains(forward)) {
                Port port = open.remove(forward);
                port.close();
                changes.add("forward " + HostPort.format(port.address()) + "=" + forward.service()
                        + " removed (its open connections carry on)");
            }
        }
        for (Forward forward : wanted) {
            if (open.containsKey(forward)) {
                continue;
            }
            Port port = null;
            try {
                port = bind(forward);
                accept(loop, uplink, forward, port.channel());
                changes.add("forward " + HostPort.format(port.address()) + "=" + forward.service() + " added");
            } catch (IOException e) {
                if (port != null) { // bound, but the loop would not take it
                    open.remove(forward);
                    port.close();
                }
                changes.add("forward " + HostPort.format(forward.listen()) + "=" + forward.service() + " NOT added: " + e.getMessage());
            }
        }
        return changes;
    }
}
