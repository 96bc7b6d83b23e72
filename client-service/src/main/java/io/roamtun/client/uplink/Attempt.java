package io.roamtun.client.uplink;

import io.roamtun.client.ClientConfig;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkListener;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.loop.Timer;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.text.HostPort;
import io.roamtun.protocol.Role;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One try at a new link along a route: connect, then HELLO (a new session) or RESUME; it ends as the link
 * carrying the session, or fails (no answer in time, refused, reset). A given-up attempt's socket is reset,
 * not closed, so its kernel does not go on delivering its RESUME long after.
 */
final class Attempt implements IoHandler {
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Where an attempt reports that it failed. */
    interface Owner extends LinkListener {
        void failed(Attempt attempt, String reason);
    }

    final Route route;
    final String cause;
    /** Make-before-break: a link carries the session while this attempt runs. */
    final boolean planned;
    final Consumer<String> onDone;
    final Consumer<String> onFail;
    private final EventLoop loop;
    private final ClientConfig config;
    private final Owner owner;
    private final Supplier<Session> session;
    private final SocketChannel channel;
    private Link link;
    private Timer timeout;
    private boolean resuming;
    /** MULTIPATH: the link joins the session beside the one carrying it (RESUME with JOIN). */
    private boolean join;

    Attempt(Route route, String cause, boolean planned, Consumer<String> onDone, Consumer<String> onFail, EventLoop loop,
            ClientConfig config, Owner owner, Supplier<Session> session) throws IOException {
        this.route = route;
        this.cause = cause;
        this.planned = planned;
        this.onDone = onDone;
        this.onFail = onFail;
        this.loop = loop;
        this.config = config;
        this.owner = owner;
        this.session = session;
        this.channel = SocketChannel.open();
    }

    void start() throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (route.path() != null) {
            // Binding to the interface's address is how the egress is chosen (no SO_BINDTODEVICE in Java);
            // hosts with several uplinks route by source address.
            channel.bind(new InetSocketAddress(route.path().localAddress(), 0));
        }
        timeout = loop.schedule(TIMEOUT_NANOS, () -> owner.failed(this, "no answer within 5 s"));
        if (channel.connect(route.target())) {
            connected(null);
        } else {
            loop.register(channel, SelectionKey.OP_CONNECT, this);
        }
    }

    @Override
    public void onReady(SelectionKey key) {
        try {
            if (channel.finishConnect()) {
                connected(key);
            }
        } catch (IOException e) {
            owner.failed(this, e.getMessage());
        }
    }

    private void connected(SelectionKey key) throws IOException {
        String name = (route.path() != null ? route.path().interfaceName() + " " : "")
                + HostPort.format((InetSocketAddress) channel.getLocalAddress()) + "->" + HostPort.format(route.target());
        link = new Link(loop, config.transports().wrap(channel, route.target()), Role.CLIENT, config.link(), owner, name);
        link.start(key);
        Session s = session.get();
        if (join) {
            resuming = true;
            link.sendResume(binding -> s.paths().joinRequest(binding, config.credential()));
        } else if (s.id() == null) {
            link.sendHello(s.hello(config.credential(), config.exposePorts(), config.udpExposePorts(), link));
        } else {
            resuming = true;
            link.sendResume(binding -> s.resumeRequest(binding, config.credential()));
        }
    }

    /** Makes this attempt a join (MULTIPATH) of the session's existing link; before {@link #start}. */
    Attempt asJoin() {
        join = true;
        return this;
    }

    boolean join() {
        return join;
    }

    /** The link this attempt made, once connected; null before. */
    Link link() {
        return link;
    }

    /** Whether it sent RESUME (an existing session), not HELLO. */
    boolean resuming() {
        return resuming;
    }

    /** It won: its link carries the session from now on. */
    void succeeded() {
        timeout.cancel();
    }

    /** Gives the attempt at most {@code nanos} more; true when that moved its deadline closer. */
    boolean shortenTo(long nanos, String reason) {
        if (timeout == null || timeout.deadlineNanos() - System.nanoTime() <= nanos) {
            return false;
        }
        timeout.cancel();
        timeout = loop.schedule(nanos, () -> owner.failed(this, reason));
        return true;
    }

    /** Gives the attempt up: its socket is reset, its link (if any) aborted; {@code why} goes to whoever asked for it. */
    void giveUp(String why) {
        abandon();
        onFail.accept(why);
    }

    /** Abandons the attempt for another that carries on its purpose (a redirect): whoever asked hears from that one. */
    void passOn() {
        abandon();
    }

    private void abandon() {
        if (timeout != null) {
            timeout.cancel();
        }
        try {
            // Reset rather than close: a closed socket would go on retransmitting what it sent (a RESUME,
            // a HELLO) and could deliver it to the server long after this attempt was given up.
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // not connected yet, or already closed
        }
        if (link != null) {
            link.abort("attempt abandoned");
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // abandoning it
        }
    }

    @Override
    public void onFailure(Throwable bug) {
        owner.failed(this, "internal error: " + bug);
    }
}
