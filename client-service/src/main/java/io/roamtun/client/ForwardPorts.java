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
    private final Map<Forward, ServerSocketChannel> open = new LinkedHashMap<>();
    private final Map<Forward, InetSocketAddress> bound = new LinkedHashMap<>();

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

    private void bind(Forward forward) throws IOException {
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
        open.put(forward, channel);
        bound.put(forward, (InetSocketAddress) channel.getLocalAddress());
    }

    /** Starts accepting on every bound port (loop thread). */
    void acceptAll(EventLoop loop, Uplink uplink) throws IOException {
        for (Map.Entry<Forward, ServerSocketChannel> e : open.entrySet()) {
            accept(loop, uplink, e.getKey(), e.getValue());
        }
    }

    private static void accept(EventLoop loop, Uplink uplink, Forward forward, ServerSocketChannel channel) throws IOException {
        loop.register(channel, SelectionKey.OP_ACCEPT, new ForwardListener(forward, channel, uplink, loop));
    }

    /** Where each forward listens, in the order given (ports resolved when 0 was asked for). */
    List<InetSocketAddress> addresses() {
        return List.copyOf(bound.values());
    }

    Map<Forward, InetSocketAddress> byForward() {
        return Map.copyOf(bound);
    }

    /** Stops listening on every port; accepted connections are not touched. */
    void closeAll() {
        for (ServerSocketChannel channel : open.values()) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        open.clear();
        bound.clear();
    }

    /**
     * A reload: stops listening for the forwards not in {@code wanted} and starts the new ones (loop thread).
     * Returns a line per change; a new forward that cannot be bound is said and left out.
     */
    List<String> reconcile(List<Forward> wanted, EventLoop loop, Uplink uplink) {
        List<String> changes = new ArrayList<>();
        for (Forward forward : new ArrayList<>(open.keySet())) {
            if (!wanted.contains(forward)) {
                try {
                    open.remove(forward).close();
                } catch (IOException ignored) {
                    // closing
                }
                changes.add("forward " + HostPort.format(bound.remove(forward)) + "=" + forward.service()
                        + " removed (its open connections carry on)");
            }
        }
        for (Forward forward : wanted) {
            if (open.containsKey(forward)) {
                continue;
            }
            try {
                bind(forward);
                accept(loop, uplink, forward, open.get(forward));
                changes.add("forward " + HostPort.format(bound.get(forward)) + "=" + forward.service() + " added");
            } catch (IOException e) {
                ServerSocketChannel channel = open.remove(forward);
                bound.remove(forward);
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
                changes.add("forward " + HostPort.format(forward.listen()) + "=" + forward.service() + " NOT added: " + e.getMessage());
            }
        }
        return changes;
    }
}
