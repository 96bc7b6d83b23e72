package io.roamtun.client;

import io.roamtun.client.uplink.Uplink;
import io.roamtun.engine.loop.AcceptLoop;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Accepts the apps' connections on one forwarded port and hands each to the uplink as a new stream. */
final class ForwardListener implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(ForwardListener.class);

    private final Forward forward;
    private final ServerSocketChannel channel;
    /** The uplink of the forward's server now (another once a drained node's session was replaced). */
    private final java.util.function.Supplier<Uplink> uplink;
    private final AcceptLoop accepting;
    /** Whether a source may connect (gateway mode's --allow-from); counts the others. */
    private final java.util.function.Predicate<java.net.InetAddress> admit;

    /** For an --http-resume forward: the port whose connections become streams, each app connection relayed to it; else null. */
    private final java.net.InetSocketAddress relayTo;
    private final io.roamtun.client.http.HttpResumeFigures httpFigures;
    private final EventLoop loop;

    ForwardListener(Forward forward, ServerSocketChannel channel, java.util.function.Supplier<Uplink> uplink, EventLoop loop,
                    java.util.function.Predicate<java.net.InetAddress> admit) {
        this(forward, channel, uplink, loop, admit, null, null);
    }

    ForwardListener(Forward forward, ServerSocketChannel channel, java.util.function.Supplier<Uplink> uplink, EventLoop loop,
                    java.util.function.Predicate<java.net.InetAddress> admit, java.net.InetSocketAddress relayTo,
                    io.roamtun.client.http.HttpResumeFigures httpFigures) {
        this.relayTo = relayTo;
        this.httpFigures = httpFigures;
        this.loop = loop;
        this.forward = forward;
        this.channel = channel;
        this.uplink = uplink;
        this.accepting = new AcceptLoop(loop, log, "forward " + forward);
        this.admit = admit;
    }

    @Override
    public void onReady(SelectionKey key) {
        accepting.acceptPending(key, channel, accepted -> {
            java.net.InetSocketAddress from = (java.net.InetSocketAddress) accepted.getRemoteAddress();
            java.net.InetAddress source = from.getAddress();
            if (!admit.test(source)) {
                log.info("forward {}: connection from {} refused: not in --allow-from", forward, source.getHostAddress());
                accepted.setOption(StandardSocketOptions.SO_LINGER, 0); // a reset: refused, not a service that hung up
                accepted.close();
                return;
            }
            if (relayTo != null) {
                io.roamtun.client.http.HttpResumeRelay.start(loop, "forward " + forward + " connection from "
                        + from.getPort(), relayTo, httpFigures, accepted);
            } else {
                uplink.get().openStream(accepted, forward.service());
            }
        });
    }

    @Override
    public void onFailure(Throwable bug) {
        log.error("forward {} failed; still accepting", forward, bug);
    }
}
