package io.roamtun.server;

import io.roamtun.engine.EngineContext;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.Sizes;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.admin.AgentFigures;
import io.roamtun.engine.loop.AcceptLoop;
import io.roamtun.engine.loop.Drain;
import io.roamtun.engine.loop.Drainable;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.protocol.Role;
import java.io.IOException;
import java.util.List;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent beside the backend: accepts links from client-services and, for each stream they open,
 * connects to the named backend service. Embeddable: tests start it in-process.
 */
public final class ServerService implements Drainable {
    private static final Logger log = LoggerFactory.getLogger(ServerService.class);
    /** Connections accepted per readiness event before other channels get their turn. */

    /** Replaced by {@link #reload}, with what cannot change while running kept. Loop thread once started. */
    private ServerConfig config;
    private final io.roamtun.engine.admin.AttachedEndpoints endpoints = new io.roamtun.engine.admin.AttachedEndpoints();
    private final EngineContext engine;
    private final SessionRegistry registry;
    private ServerSocketChannel listener;
    private InetSocketAddress boundAddress;
    private long evictions;

    private ServerService(ServerConfig config) throws IOException {
        this.config = config;
        this.engine = new EngineContext("server-loop", config.session().bufferMemory());
        this.registry = new SessionRegistry(engine, config);
    }

    /** Binds the listen address and starts serving; throws when the address cannot be bound. */
    public static ServerService start(ServerConfig config) throws IOException {
        ServerService service = new ServerService(config);
        try {
            service.bind();
        } catch (IOException e) {
            service.engine.close();
            throw e;
        }
        service.engine.loop().start();
        service.engine.loop().call(() -> {
            try {
                service.engine.loop().register(service.listener, SelectionKey.OP_ACCEPT, service.new Acceptor());
                service.registry.startRevocationChecks();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        log.info("listening on {} for client-services ({}{}{}); services: {}", HostPort.format(service.boundAddress),
                config.transports().describe(), config.clients() == null ? ", no client authentication" : "",
                config.fleet() == null ? "" : ", fleet " + config.fleet(), config.services().asMap().keySet());
        service.engine.loop().call(() -> {
            service.registry.logLimits();
            return null;
        });
        long memoryAllows = service.engine.budget().sessionsLeft();
        if (memoryAllows < config.maxSessions()) {
            log.info("--max-buffer-memory {} has room for {} sessions ({} set aside for each): sessions beyond that are "
                    + "refused before --max-sessions {} is reached", Sizes.format(config.session().bufferMemory()), memoryAllows,
                    Sizes.format(service.engine.budget().sessionMinimum()), config.maxSessions());
        }
        return service;
    }

    private void bind() throws IOException {
        listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        try {
            listener.bind(config.listen(), 1024);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + HostPort.format(config.listen()) + ": " + e.getMessage(), e);
        }
        listener.configureBlocking(false);
        boundAddress = (InetSocketAddress) listener.getLocalAddress();
    }

    public InetSocketAddress address() {
        return boundAddress;
    }

    public int sessionCount() {
        return engine.loop().call(registry::sessionCount);
    }

    public int streamCount() {
        return engine.loop().call(registry::streamCount);
    }

    public long resumes() {
        return engine.loop().call(() -> registry.counts().resumes());
    }

    /** RESUMEs refused because a connection accepted after theirs carries the session. */
    public long staleResumesRefused() {
        return engine.loop().call(() -> registry.counts().staleResumesRefused());
    }

    public long sessionsOpened() {
        return engine.loop().call(() -> registry.counts().sessionsOpened());
    }

    /** Accepts client-service connections; each becomes a link waiting for HELLO. */
    private final class Acceptor implements IoHandler {
        private final AcceptLoop accepting = new AcceptLoop(engine.loop(), log, "listener");

        @Override
        public void onReady(SelectionKey key) {
            accepting.acceptPending(key, listener, this::startLink);
        }

        private void startLink(SocketChannel channel) throws IOException {
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            String name = HostPort.format(remote);
            Link link = new Link(engine.loop(), config.transports().wrap(channel, null), Role.SERVER, config.link(), registry, name);
            try {
                link.start();
            } catch (IOException e) {
                link.transport().close();
                throw new IOException("from " + name + ": " + e.getMessage(), e);
            }
            registry.add(link);
            Link evicted = registry.startsHandshake(link, remote.getAddress());
            if (evicted != null) {
                evictions++;
                if (Long.bitCount(evictions) == 1) { // 1, 2, 4, 8, ...: a flood makes a few lines, not thousands
                    log.warn("too many connections in their handshake (--max-pending {}, {} per address): ended "
                            + "{} so far, the oldest of the busiest address first; latest {}", config.maxPendingLinks(),
                            config.maxPendingPerAddress(), evictions, evicted.name());
                }
                evicted.abort("evicted: too many handshakes under way");
            }
        }

        @Override
        public void onFailure(Throwable bug) {
            log.error("listener failed; still accepting", bug);
        }
    }

    /** What 'server-service status' prints. */
    public String status() {
        return engine.loop().call(() -> "server-service " + io.roamtun.engine.config.AgentCommandLine.version() + " on "
                + HostPort.format(boundAddress) + " (" + config.transports().describe() + "): " + ServerStatus.text(registry));
    }

    /** What 'server-service status --json' prints. */
    public String statusJson() {
        java.util.Map<String, Object> status = engine.loop().call(() -> ServerStatus.json(registry));
        status.put("listen", HostPort.format(boundAddress));
        status.put("version", io.roamtun.engine.config.AgentCommandLine.version());
        return io.roamtun.engine.admin.AdminSockets.json(status);
    }

    /** The counters of status and /metrics. Any thread. */
    public AgentFigures figures() {
        return engine.loop().call(() -> ServerStatus.figures(registry));
    }

    /** Closed with the service: the admin socket and the metrics endpoint. */
    public void attach(AutoCloseable endpoint) {
        endpoints.attach(endpoint);
    }

    /**
     * SIGHUP (any thread): runs with {@code fresh}'s services and limits from now on, for new sessions and
     * streams; open streams are untouched. Logs what changed, and what takes a restart and was kept.
     */
    public void reload(ServerConfig fresh) {
        engine.loop().execute(() -> {
            List<String> applied = ServerReload.applied(config, fresh);
            List<String> restart = ServerReload.needRestart(config, fresh);
            config = ServerReload.merge(config, fresh);
            registry.reconfigure(config);
            log.info("configuration reloaded: {}", applied.isEmpty() ? "nothing that applies while running changed"
                    : String.join("; ", applied));
            if (!restart.isEmpty()) {
                log.warn("configuration reloaded, but these take a restart and are kept as they were: {}", String.join("; ", restart));
            }
        });
    }

    @Override
    public void drain(java.time.Duration timeout, Runnable drained) {
        engine.loop().execute(() -> {
            if (registry.stopTakingNew()) {
                // A fleet's node waits for its sessions: each client closes its old one once its streams are done,
                // so an OPEN that left before the client read MOVING is not cut off by an early exit.
                Drain.start(engine.loop(), timeout, registry.fleet() != null ? () -> registry.held().size() : registry::openStreams, drained);
            }
        });
    }

    @Override
    public void close() {
        endpoints.closeAll();
        try {
            engine.loop().call(() -> {
                registry.shutdown();
                try {
                    listener.close();
                } catch (IOException ignored) {
                    // shutting down
                }
                return null;
            });
            engine.loop().call(() -> null); // one more turn: the GOAWAYs were flushed at the end of the last
        } catch (RuntimeException e) {
            log.debug("shutdown: {}", e.getMessage());
        }
        engine.close();
        log.info("server-service stopped");
    }
}
