package io.roamtun.client;

import io.roamtun.client.uplink.Uplink;
import io.roamtun.engine.datagram.DatagramPort;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.text.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The UDP sockets of the {@code --forward-udp} flags: bound all or nothing at start, closed at the end. */
final class UdpForwardPorts {
    /** A forward's socket, the address it got (its port resolved when 0 was asked for), and, once receiving, its flows. */
    private static final class Bound {
        final UdpForward forward;
        final DatagramChannel channel;
        final InetSocketAddress address;
        DatagramPort port;

        Bound(UdpForward forward, DatagramChannel channel, InetSocketAddress address) {
            this.forward = forward;
            this.channel = channel;
            this.address = address;
        }

        String name() {
            return "udp " + HostPort.format(address) + "=" + (forward.server().isEmpty() ? "" : forward.server() + "/") + forward.service();
        }
    }

    private final List<Bound> bound = new ArrayList<>();

    void bindAll(List<UdpForward> wanted) throws IOException {
        try {
            for (UdpForward forward : wanted) {
                DatagramChannel channel = DatagramChannel.open(forward.listen().getAddress() instanceof java.net.Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                try {
                    channel.bind(forward.listen());
                    channel.configureBlocking(false);
                } catch (IOException e) {
                    channel.close();
                    throw new IOException("cannot listen on udp " + HostPort.format(forward.listen()) + " for service "
                            + forward.service() + ": " + e.getMessage(), e);
                }
                bound.add(new Bound(forward, channel, (InetSocketAddress) channel.getLocalAddress()));
            }
        } catch (IOException e) {
            closeAll();
            throw e;
        }
    }

    /** Starts receiving on every socket (loop thread), into the session of {@code route}'s uplink; sources must pass {@code admit} (--allow-from). */
    void receiveAll(EventLoop loop, java.util.function.Function<UdpForward, Uplink> route, Predicate<java.net.InetAddress> admit)
            throws IOException {
        for (Bound b : bound) {
            Uplink uplink = route.apply(b.forward);
            if (uplink == null) {
                throw new IOException(b.name() + ": no server named " + b.forward.server());
            }
            b.port = new DatagramPort(b.name(), b.forward.service(), b.channel, () -> route.apply(b.forward).session(), admit);
            loop.register(b.channel, SelectionKey.OP_READ, b.port);
        }
    }

    /** Where each receives, in the order given (ports resolved when 0 was asked for). */
    List<InetSocketAddress> addresses() {
        return bound.stream().map(b -> b.address).toList();
    }

    List<String> describe() {
        return bound.stream().filter(b -> b.port != null).map(b -> b.port.describe()).toList();
    }

    void closeAll() {
        for (Bound b : bound) {
            try {
                b.channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        bound.clear();
    }
}
