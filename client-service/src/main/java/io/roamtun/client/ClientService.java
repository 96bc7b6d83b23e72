package io.roamtun.client;

import io.roamtun.engine.loop.Drain;
import io.roamtun.engine.loop.Drainable;
import io.roamtun.client.uplink.Handover;
import io.roamtun.client.uplink.Uplink;
import io.roamtun.engine.EngineContext;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.SessionState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent on the roaming machine: listens on a local port per forward and carries every accepted
 * connection as a stream over one session to the server-service. Embeddable: tests start it in-process.
 */
public final class ClientService implements Drainable {
    private static final Logger log = LoggerFactory.getLogger(ClientService.class);

    private final ClientConfig config;
    private final EngineContext engine;
    private final Uplink uplink;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private final InterfacePoller poller;
    /** Null when the server was given as an address. */
    private final ServerNameResolver resolver;
    private AdminServer admin;

    private ClientService(ClientConfig config) throws IOException {
        this.config = config;
        this.engine = new EngineContext("client-loop", config.session().bufferMemory());
        this.uplink = new Uplink(engine, config);
        this.poller = config.interfaces() == null ? null
                : new InterfacePoller(config.interfaces(), config.pollInterval(), engine.loop(), uplink::onInterfacePoll);
        InetSocketAddress server = config.server();
        this.resolver = HostPort.isName(server.getHostString())
                ? new ServerNameResolver(server.getHostString(), server.getPort(), engine.loop(), uplink::onServerAddresses) : null;
        uplink.resolveWith(resolver != null ? resolver::refresh : () -> { });
    }

    /** Binds every forward's port (all or nothing) and starts connecting to the server-service. */
    public static ClientService start(ClientConfig config) throws IOException {
        ClientService service = new ClientService(config);
        try {
            service.bindAll();
        } catch (IOException e) {
            service.closeListeners();
            service.engine.close();
            throw e;
        }
        List<io.roamtun.client.paths.InterfaceSnapshot> firstPoll = service.poller != null ? service.poller.readNow() : List.of();
        service.engine.loop().start();
        service.engine.loop().call(() -> {
            try {
                for (int i = 0; i < config.forwards().size(); i++) {
                    service.engine.loop().register(service.listeners.get(i), SelectionKey.OP_ACCEPT,
                            new ForwardListener(config.forwards().get(i), service.listeners.get(i), service.uplink, service.engine.loop()));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            service.uplink.start(firstPoll);
            return null;
        });
        if (service.poller != null) {
            service.poller.start();
        }
        if (service.resolver != null) {
            service.resolver.start(); // all of the name's addresses now, then periodic look-ups (or when the uplink asks)
        }
        if (config.adminSocket() != null) {
            try {
                service.admin = AdminServer.start(config.adminSocket(), service);
            } catch (IOException e) {
                service.close();
                throw e;
            }
        }
        for (int i = 0; i < config.forwards().size(); i++) {
            log.info("forwarding {} to service {} via {}", HostPort.format(service.bound.get(i)),
                    config.forwards().get(i).service(), HostPort.format(config.server()));
        }
        return service;
    }

    private void bindAll() throws IOException {
        for (Forward forward : config.forwards()) {
            ServerSocketChannel channel = ServerSocketChannel.open();
            listeners.add(channel);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            try {
                channel.bind(forward.listen(), 1024);
            } catch (IOException e) {
                throw new IOException("cannot listen on " + HostPort.format(forward.listen()) + " for service "
                        + forward.service() + ": " + e.getMessage(), e);
            }
            channel.configureBlocking(false);
            bound.add((InetSocketAddress) channel.getLocalAddress());
        }
    }

    /** The address each forward listens on, in the order given (ports resolved when 0 was asked for). */
    public List<InetSocketAddress> forwardAddresses() {
        return List.copyOf(bound);
    }

    /** True once a session with the server-service is established. */
    public boolean isConnected() {
        return engine.loop().call(() -> uplink.session().state() == SessionState.ACTIVE);
    }

    public int streamCount() {
        return engine.loop().call(() -> uplink.session().streamCount());
    }

    /** What {@code client-service status} prints. */
    public String status() {
        return engine.loop().call(() -> StatusReport.render(uplink, poller));
    }

    /** Moves the session to interface {@code name}, make-before-break; completes once it is done (or failed). */
    public java.util.concurrent.CompletableFuture<String> switchTo(String name) {
        java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();
        engine.loop().execute(() -> uplink.switchTo(name, result::complete,
                why -> result.completeExceptionally(new IllegalStateException(why))));
        return result;
    }

    /** The transport of the active link, e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256 (Conscrypt)", or null. */
    public String transportDescription() {
        return engine.loop().call(() -> uplink.activeLink() == null ? null : uplink.activeLink().transport().describe());
    }

    /** The current session's id (hex), or null before the first WELCOME. */
    public String sessionId() {
        return engine.loop().call(() -> uplink.session().id() == null ? null : uplink.session().id().toString());
    }

    /** How many handovers since start. */
    public long handoverCount() {
        return engine.loop().call(uplink::handoverCount);
    }

    /** The last handovers (up to 50), oldest first. */
    public List<Handover> handovers() {
        return engine.loop().call(uplink::handovers);
    }

    /** The interface the session's link uses now, or null. */
    public String activeInterface() {
        return engine.loop().call(() -> uplink.activePath() == null ? null : uplink.activePath().interfaceName());
    }

    /** A line per stream of the current session, for status and tests. */
    public List<String> describeStreams() {
        return engine.loop().call(() -> {
            Session s = uplink.session();
            return s.describeStreams();
        });
    }

    /** Loop thread: a drain has begun. */
    private boolean draining;

    private void closeListeners() {
        for (ServerSocketChannel channel : listeners) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }

    /** Stops accepting app connections (the forwards' ports close) and lets the open streams finish. */
    @Override
    public void drain(java.time.Duration timeout, Runnable drained) {
        engine.loop().execute(() -> {
            if (!draining) {
                draining = true;
                closeListeners();
                Drain.start(engine.loop(), timeout, () -> uplink.session().streamCount(), drained);
            }
        });
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (poller != null) {
            poller.close();
        }
        if (resolver != null) {
            resolver.close();
        }
        try {
            engine.loop().call(() -> {
                closeListeners();
                uplink.stop();
                return null;
            });
            engine.loop().call(() -> null); // one more turn, so the GOAWAY is flushed
        } catch (RuntimeException e) {
            log.debug("shutdown: {}", e.getMessage());
        }
        engine.close();
        log.info("client-service stopped");
    }
}
