package io.roamtun.server;

import io.roamtun.engine.datagram.DatagramPort;
import io.roamtun.engine.loop.AcceptLoop;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.IoErrors;
import io.roamtun.protocol.ServiceNames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One port a server listens on for one client's session ({@link ExposedPorts}): TCP, where each connection
 * becomes a stream the server opens to the client, or UDP, where each source is a flow of the session. The
 * session it serves may change (a restarted client's new session takes it over). Loop thread.
 */
final class ExposedListener implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(ExposedListener.class);

    /** A port of one protocol on one address. */
    record Key(boolean udp, InetSocketAddress at) {
        @Override
        public String toString() {
            return (udp ? "udp " : "") + HostPort.format(at);
        }
    }

    final Key key;
    /** Whose address the port uses ({@link ExposeAddresses}). */
    final Object holder;
    String owner;
    Session session;
    /** The session this one was taken over from, until the new session's HELLO is accepted: it gets it back if not. */
    Session previous;
    String previousOwner;
    private final SelectableChannel channel;
    private final BooleanSupplier draining;
    private final AcceptLoop accepting;
    private final DatagramPort datagrams;
    /** The service name of the streams this port opens (TCP). */
    private final String service;
    private SelectionKey selectionKey;
    private long accepted;

    private ExposedListener(Key key, Object holder, String owner, Session session, SelectableChannel channel, EventLoop loop,
                            BooleanSupplier draining) {
        this.key = key;
        this.holder = holder;
        this.owner = owner;
        this.session = session;
        this.channel = channel;
        this.draining = draining;
        this.accepting = new AcceptLoop(loop, log, "exposed port " + key);
        this.service = ServiceNames.exposed(key.at().getPort());
        this.datagrams = key.udp() ? new DatagramPort("exposed " + key, ServiceNames.exposedUdp(key.at().getPort()),
                (DatagramChannel) channel, () -> this.session, source -> true) : null;
    }

    /** Binds {@code key}'s port and starts listening on it for {@code session}. */
    static ExposedListener open(Key key, Object holder, String owner, Session session, EventLoop loop, BooleanSupplier draining)
            throws IOException {
        SelectableChannel channel = null;
        try {
            if (key.udp()) {
                DatagramChannel udp = DatagramChannel.open(key.at().getAddress() instanceof java.net.Inet6Address
                        ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
                channel = udp;
                udp.bind(key.at());
            } else {
                ServerSocketChannel tcp = ServerSocketChannel.open();
                channel = tcp;
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tcp.bind(key.at(), 128);
            }
            channel.configureBlocking(false);
            ExposedListener listener = new ExposedListener(key, holder, owner, session, channel, loop, draining);
            listener.selectionKey = loop.register(channel, key.udp() ? SelectionKey.OP_READ : SelectionKey.OP_ACCEPT, listener);
            return listener;
        } catch (IOException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    String describeHolder() {
        return (owner.isEmpty() ? "" : "client " + owner + " ") + "session " + session.label();
    }

    /** What it carried: connections (TCP), or the flows of its sources (UDP). */
    String describeTraffic() {
        return datagrams != null ? datagrams.traffic() : accepted + " connections";
    }

    long connections() {
        return accepted;
    }

    @Override
    public void onReady(SelectionKey ready) {
        if (datagrams != null) {
            datagrams.onReady(ready);
            return;
        }
        accepting.acceptPending(ready, (ServerSocketChannel) channel, connection -> {
            if (draining.getAsBoolean()) {
                log.info("exposed port {}: connection closed: the server-service is draining", key);
                connection.close();
                return;
            }
            accepted++;
            session.openStream(connection, service);
        });
    }

    void close() {
        if (selectionKey != null) {
            selectionKey.cancel();
        }
        closeQuietly(channel);
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

    @Override
    public void onFailure(Throwable bug) {
        log.error("exposed port {} failed; still listening", key, bug);
    }
}
