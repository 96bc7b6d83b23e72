package io.roamtun.engine.session;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.resend.ResumeCheck;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkListener;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.transport.LinkTransport;
import io.roamtun.engine.transport.PlainTransport;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A client session and a server session over real loopback links, resuming through the same Session calls as Uplink / SessionRegistry. */
final class TwoAgents implements AutoCloseable {
    final EventLoop cl;
    final EventLoop sv;
    final ServerSocketChannel svListen;
    final LinkSettings linkSettings = LinkSettings.forDeadAfter(Duration.ofSeconds(60), Duration.ofSeconds(20));
    /** The server's links' timing (the client's is {@link #linkSettings}); set before connecting. */
    volatile LinkSettings serverLinkSettings = linkSettings;
    final SessionSettings settings;
    final ServiceDirectory services;
    final MemoryBudget clBudget;
    final MemoryBudget svBudget;
    volatile int serverSndBuf;
    volatile Session client;
    volatile Session server;
    final CopyOnWriteArrayList<String> events = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> bug = new AtomicReference<>();

    final LinkListener serverListener = new LinkListener() {
        @Override
        public void onHello(Link link, Hello hello) throws ProtocolException {
            server = new Session(sv, Role.SERVER, settings, new BufferPool(256 * 1024, 64), new BufferPool(16 * 1024, 64),
                    svBudget, services, (s, r) -> events.add("server session closed: " + r), "sv");
            server.acceptHello(hello, link, "");
        }

        @Override
        public void onResume(Link link, Resume resume) throws ProtocolException {
            Session session = server;
            ResumeCheck check = session.checkResume(resume, link);
            if (resume.join()) {
                session.paths().join(link, check);
                events.add("server joined " + link.name());
                return;
            }
            Link old = session.link();
            long resending = session.resumeOn(link, check);
            events.add("server resumed on " + link.name() + " from " + resume.receivedOffset() + " resending " + resending);
            if (old != null) {
                old.close(ErrorCode.SESSION_TAKEN_OVER, "moved");
            }
        }

        @Override
        public void onLinkClosed(Link link, ErrorCode code, String reason, boolean byPeer) {
            events.add("server link " + link.name() + " closed " + code + " " + reason);
        }
    };

    /** Wraps the transport of each link the client connects (a fault injector); none by default. */
    volatile java.util.function.UnaryOperator<LinkTransport> clientTransport = t -> t;
    volatile Link clientActive;
    final LinkListener clientListener = new LinkListener() {
        @Override
        public void onWelcome(Link link, Welcome welcome) throws ProtocolException {
            client.acceptWelcome(welcome, link);
            client.paths().announce(false);
            clientActive = link;
        }

        @Override
        public void onResumed(Link link, long receivedOffset, long sentOffset, byte[] nextNonce) throws ProtocolException {
            if (joining.remove(link)) {
                client.paths().joined(link, receivedOffset, nextNonce, false);
                events.add("client joined " + link.name());
                return;
            }
            Link old = clientActive;
            client.resumeOn(link, receivedOffset, nextNonce);
            clientActive = link;
            events.add("client resumed on " + link.name() + " server received " + receivedOffset);
            if (old != null && old != link) {
                old.close(ErrorCode.NO_ERROR, "moved");
            }
        }

        @Override
        public void onLinkClosed(Link link, ErrorCode code, String reason, boolean byPeer) {
            events.add("client link " + link.name() + " closed " + code + " " + reason);
        }
    };

    TwoAgents(SessionSettings settings, Map<String, InetSocketAddress> services, long budgetBytes) throws IOException {
        this.settings = settings;
        this.services = new ServiceDirectory(services);
        cl = new EventLoop("cl").start();
        sv = new EventLoop("sv").start();
        clBudget = budgetBytes > 0 ? new MemoryBudget(budgetBytes, 512 * 1024, 256 * 1024, cl::atEndOfTurn) : null;
        svBudget = budgetBytes > 0 ? new MemoryBudget(budgetBytes, 512 * 1024, 256 * 1024, sv::atEndOfTurn) : null;
        svListen = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(() -> {
            int n = 0;
            while (true) {
                try {
                    SocketChannel ch = svListen.accept();
                    ch.configureBlocking(false);
                    if (serverSndBuf > 0) {
                        ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, serverSndBuf);
                    }
                    String name = "sv" + (++n);
                    sv.execute(() -> {
                        try {
                            new Link(sv, new PlainTransport(ch), Role.SERVER, serverLinkSettings, serverListener, name).start();
                        } catch (IOException e) {
                            bug.set(e);
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        }, "sv-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        client = cl.call(() -> new Session(cl, Role.CLIENT, settings, new BufferPool(256 * 1024, 64), new BufferPool(16 * 1024, 64),
                clBudget, ServiceDirectory.empty(), (s, r) -> events.add("client session closed: " + r), "cl"));
    }

    InetSocketAddress serverAddress() throws IOException {
        return (InetSocketAddress) svListen.getLocalAddress();
    }

    /** Connects a new client link to {@code to} and sends HELLO (first) or RESUME. */
    Link connect(InetSocketAddress to, String name) throws IOException {
        SocketChannel ch = SocketChannel.open(to);
        ch.configureBlocking(false);
        return cl.call(() -> {
            try {
                Link link = new Link(cl, clientTransport.apply(new PlainTransport(ch)), Role.CLIENT, linkSettings, clientListener, name);
                link.start();
                if (client.id() == null) {
                    link.sendHello(client.hello("", link));
                } else {
                    link.sendResume(binding -> client.resumeRequest(binding, ""));
                }
                return link;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Links the client is joining to its session (MULTIPATH), until their RESUMED. */
    final java.util.Set<Link> joining = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Connects a client link to {@code to} that joins the session beside its link (RESUME with JOIN). */
    Link join(InetSocketAddress to, String name) throws IOException {
        SocketChannel ch = SocketChannel.open(to);
        ch.configureBlocking(false);
        return cl.call(() -> {
            try {
                Link link = new Link(cl, clientTransport.apply(new PlainTransport(ch)), Role.CLIENT, linkSettings, clientListener, name);
                joining.add(link);
                link.start();
                link.sendResume(binding -> client.paths().joinRequest(binding, ""));
                return link;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Hands an accepted app connection to the client session as a stream for {@code service}. */
    void openStream(SocketChannel app, String service) throws IOException {
        app.configureBlocking(false);
        cl.call(() -> {
            try {
                client.openStream(app, service);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
    }

    @Override
    public void close() throws IOException {
        cl.close();
        sv.close();
        svListen.close();
    }
}
