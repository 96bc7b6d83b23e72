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

/** The UDP sockets of the {@code --forward-udp} flags: bound all or nothing at start, closed at the end. */
final class UdpForwardPorts {
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final List<DatagramPort> sockets = new ArrayList<>();
    private final List<UdpForward> forwards = new ArrayList<>();

    void bindAll(List<UdpForward> wanted) throws IOException {
        try {
            for (UdpForward forward : wanted) {
                DatagramChannel channel = DatagramChannel.open(forward.listen().getAddress() instanceof java.net.Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                channels.add(channel);
                forwards.add(forward);
                try {
                    channel.bind(forward.listen());
                } catch (IOException e) {
                    throw new IOException("cannot listen on udp " + HostPort.format(forward.listen()) + " for service "
                            + forward.service() + ": " + e.getMessage(), e);
                }
                channel.configureBlocking(false);
            }
        } catch (IOException e) {
            closeAll();
            throw e;
        }
    }

    /** Starts receiving on every socket (loop thread). */
    void receiveAll(EventLoop loop, Uplink uplink, java.util.function.Predicate<java.net.InetAddress> admit) throws IOException {
        for (int i = 0; i < channels.size(); i++) {
            UdpForward forward = forwards.get(i);
            DatagramPort socket = new DatagramPort("udp " + HostPort.format((InetSocketAddress) channels.get(i).getLocalAddress())
                    + "=" + forward.service(), forward.service(), channels.get(i), uplink::session, admit);
            sockets.add(socket);
            loop.register(channels.get(i), SelectionKey.OP_READ, socket);
        }
    }

    /** Where each listens (ports resolved when 0 was asked for). */
    List<InetSocketAddress> addresses() throws IOException {
        List<InetSocketAddress> all = new ArrayList<>();
        for (DatagramChannel c : channels) {
            all.add((InetSocketAddress) c.getLocalAddress());
        }
        return all;
    }

    List<String> describe() {
        return sockets.stream().map(DatagramPort::describe).toList();
    }

    List<UdpForward> forwards() {
        return List.copyOf(forwards);
    }

    void closeAll() {
        for (DatagramChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        channels.clear();
        sockets.clear();
        forwards.clear();
    }
}
