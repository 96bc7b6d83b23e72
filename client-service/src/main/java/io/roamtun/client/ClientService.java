package io.roamtun.client;

import io.roamtun.engine.admin.AdminSocket;
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
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent on the roaming machine: listens on a local port per forward and carries every accepted
 * connection as a stream over the session with the forward's server-service, one session (and uplink)
 * per server. Embeddable: tests start it in-process.
 */
public final class ClientService implements Drainable {
    private static final Logger log = LoggerFactory.getLogger(ClientService.class);

    /** Replaced by {@link #reload}, with what cannot change while running kept. */
    private ClientConfig config;
    private final EngineContext engine;
    private final ServerUplinks uplinks;
    private final ForwardPorts ports;
    private final UdpForwardPorts udpPorts = new UdpForwardPorts();
    private final InterfacePoller poller;
    private final io.roamtun.engine.admin.AttachedEndpoints endpoints = new io.roamtun.engine.admin.AttachedEndpoints();

    private ClientService(ClientConfig config) throws IOException {
        this.config = config;
        this.engine = new EngineContext("client-loop", config.session().bufferMemory());
        this.uplinks = new ServerUplinks(engine, config);
        this.ports = new ForwardPorts(forward -> uplinks.forServer(forward.server()));
        this.poller = config.interfaces() == null ? null
                : new InterfacePoller(config.interfaces(), config.pollInterval(), engine.loop(), uplinks::onInterfacePoll);
    }

    /** Binds every forward's port (all or nothing) and starts connecting to the server-service. */
    public static ClientService start(ClientConfig config) throws IOException {
        ClientService service = new ClientService(config);
        service.ports.allowFrom(config.allowFrom());
        try {
            service.ports.bindAll(config.forwards());
            service.udpPorts.bindAll(config.udpForwards());
        } catch (IOException e) {
            service.ports.closeAll();
            service.engine.close();
            throw e;
        }
        List<io.roamtun.client.paths.InterfaceSnapshot> firstPoll = service.poller != null ? service.poller.readNow() : List.of();
        service.engine.loop().start();
        try {
            service.engine.loop().call(() -> {
                try {
                    service.ports.acceptAll(service.engine.loop());
                    service.udpPorts.receiveAll(service.engine.loop(), forward -> service.uplinks.forServer(forward.server()),
                            source -> service.ports.sources().allows(source));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return null;
            });
        } catch (RuntimeException e) { // nothing is left running: the loop, the sockets bound
            service.close();
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof java.io.UncheckedIOException io) {
                    throw io.getCause();
                }
            }
            throw e;
        }
        service.engine.loop().call(() -> {
            service.uplinks.start(firstPoll);
            service.recheckForwardAddresses();
            return null;
        });
        if (service.poller != null) {
            service.poller.start();
        }
        service.uplinks.startResolvers(); // all of a name's addresses now, then periodic look-ups (or when its uplink asks)
        if (config.adminSocket() != null) {
            try {
                service.attach(AdminSocket.start(config.adminSocket(), ClientAdminRequests.AGENT, new ClientAdminRequests(service)));
            } catch (IOException e) {
                service.close();
                throw e;
            }
        }
        service.ports.byForward().forEach((forward, address) -> log.info("forwarding {} to service {} via {}",
                HostPort.format(address), forward.service(), service.uplinks.forServer(forward.server()).upstream().label()));
        List<InetSocketAddress> udp = service.udpForwardAddresses();
        for (int i = 0; i < udp.size(); i++) {
            UdpForward forward = config.udpForwards().get(i);
            log.info("forwarding udp {} to service {} via {}", HostPort.format(udp.get(i)), forward.service(),
                    service.uplinks.forServer(forward.server()).upstream().label());
        }
        return service;
    }

    /** Loop thread, every second: forwards on an interface address follow it (gateway mode). */
    private void recheckForwardAddresses() {
        if (ports.followsAddresses()) {
            ports.recheckAddresses(engine.loop());
        }
        engine.loop().schedule(java.util.concurrent.TimeUnit.SECONDS.toNanos(1), this::recheckForwardAddresses);
    }

    /** Where each UDP forward receives, in the order given. */
    public List<InetSocketAddress> udpForwardAddresses() {
        return engine.loop().call(udpPorts::addresses);
    }

    /** The address each forward listens on, in the order given (ports resolved when 0 was asked for). */
    public List<InetSocketAddress> forwardAddresses() {
        return engine.loop().call(ports::addresses);
    }

    /** True once a session with every server-service is established. */
    public boolean isConnected() {
        return engine.loop().call(() -> uplinks.current().stream().allMatch(u -> u.session().state() == SessionState.ACTIVE));
    }

    /** Streams open over every session. */
    public int streamCount() {
        return engine.loop().call(uplinks::streamCount);
    }

    /** The capability bits the (first) session negotiated ({@link io.roamtun.protocol.Capabilities}). */
    public int sessionCapabilities() {
        return engine.loop().call(() -> uplinks.first().session().capabilities());
    }

    /** What {@code client-service status --json} prints. */
    public String statusJson() {
        Map<String, Object> status = engine.loop().call(() -> { // the forwards too: a reload changes them on the loop
            Map<String, Object> json = ClientStatusJson.json(uplinks, ports.refusedSources());
            json.put("forwards", ports.byForward().entrySet().stream()
                    .map(e -> HostPort.format(e.getValue()) + "=" + e.getKey().target()).sorted().toList());
            json.put("forwards_waiting_for_address", ports.waiting().stream().map(Forward::toString).toList());
            json.put("allow_from", ports.sources().toString());
            json.put("connections_refused_by_allow_from", ports.refusedSources());
            json.put("http_downloads_taken_up", ports.httpResumes().takenUpCount());
            json.put("http_downloads_not_taken_up", ports.httpResumes().refusedCount());
            return json;
        });
        return io.roamtun.engine.admin.AdminSockets.json(status);
    }

    /** The counters of status and /metrics. Any thread. */
    public io.roamtun.engine.admin.AgentFigures figures() {
        return engine.loop().call(() -> uplinks.figures(ports.refusedSources()));
    }

    /** Closed with the service: the admin socket and the metrics endpoint. */
    public void attach(AutoCloseable endpoint) {
        endpoints.attach(endpoint);
    }

    /** Gateway mode's lines of status: who may connect, who was turned away, forwards waiting for an address. */
    private String gatewayStatus() {
        StringBuilder out = new StringBuilder();
        if (ports.sources().givesAccess() || ports.refusedSources() > 0) {
            out.append("gateway: forwards open to ").append(ports.sources()).append("; ").append(ports.refusedSources())
                    .append(" connections refused (not in --allow-from)\n");
        }
        ports.waiting().forEach(f -> out.append("forward ").append(f).append(": waiting for its address\n"));
        udpPorts.describe().forEach(line -> out.append(line).append('\n'));
        if (ports.anyHttpResume()) {
            out.append(ports.httpResumes()).append('\n');
        }
        for (Uplink uplink : uplinks.all()) {
            String datagrams = uplink.session().datagrams().describe();
            if (!datagrams.isEmpty()) {
                out.append(uplinks.several() ? uplink.upstream().name() + ": " : "").append(datagrams).append('\n');
            }
        }
        return out.toString();
    }

    /** What {@code client-service status} prints. */
    public String status() {
        return engine.loop().call(() -> StatusReport.render(uplinks, poller) + gatewayStatus());
    }

    /** Moves every session to interface {@code name}, make-before-break; completes once all are done (or failed). */
    public java.util.concurrent.CompletableFuture<String> switchTo(String name) {
        java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();
        engine.loop().execute(() -> uplinks.switchTo(name, result::complete,
                why -> result.completeExceptionally(new IllegalStateException(why))));
        return result;
    }

    // The (first) server's session: what tests of one server look at.

    /** The transport of the active link, e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256 (Conscrypt)", or null. */
    public String transportDescription() {
        return engine.loop().call(() -> uplinks.first().activeLink() == null ? null : uplinks.first().activeLink().transport().describe());
    }

    /** The current session's id (hex), or null before the first WELCOME. */
    public String sessionId() {
        return sessionId("");
    }

    /** The id (hex) of the current session with the server named {@code server} ("": the first), or null before its WELCOME. */
    public String sessionId(String server) {
        return engine.loop().call(() -> {
            Session s = (server.isEmpty() ? uplinks.first() : uplinks.forServer(server)).session();
            return s.id() == null ? null : s.id().toString();
        });
    }

    /** How many handovers since start. */
    public long handoverCount() {
        return engine.loop().call(uplinks.first()::handoverCount);
    }

    /** The last handovers (up to 50), oldest first. */
    public List<Handover> handovers() {
        return engine.loop().call(uplinks.first()::handovers);
    }

    /** The interface the session's link uses now, or null. */
    public String activeInterface() {
        return engine.loop().call(() -> uplinks.first().activePath() == null ? null : uplinks.first().activePath().interfaceName());
    }

    /** A line per stream of the current session, for status and tests. */
    public List<String> describeStreams() {
        return engine.loop().call(() -> uplinks.first().session().describeStreams());
    }

    /** Loop thread: a drain has begun. */
    private boolean draining;

    private void closeListeners() {
        ports.closeAll();
        udpPorts.closeAll();
    }

    /**
     * SIGHUP or 'client-service reload' (any thread): forwards added or removed in {@code fresh} apply now
     * (a removed one stops listening, its open connections carry on); what else changed takes a restart and
     * is said. Returns the log line.
     */
    public String reload(ClientConfig fresh) {
        return engine.loop().call(() -> {
            if (draining) { // its ports are closed for good: a reload must not open them again
                log.warn("reload refused: the client-service is draining");
                return "error: reload refused: the client-service is draining";
            }
            for (Forward forward : fresh.forwards()) { // the servers are the ones started with
                if (uplinks.forServer(forward.server()) == null) {
                    String why = "reload refused, the running configuration stays: --forward " + forward + " names "
                            + (forward.server().isEmpty() ? "no server" : "server " + forward.server())
                            + ", and the servers running are " + uplinks.current().stream().map(u -> u.upstream().label()).toList()
                            + " (servers change on restart)";
                    log.warn("{}", why);
                    return "error: " + why;
                }
            }
            List<String> changes = ports.reconcile(fresh.forwards(), engine.loop());
            if (!fresh.allowFrom().equals(ports.sources())) {
                changes.add("allow-from now " + fresh.allowFrom() + " (was " + ports.sources() + ")");
                ports.allowFrom(fresh.allowFrom());
            }
            List<String> restart = ClientReload.needRestart(config, fresh);
            config = ClientReload.merge(config, fresh);
            String line = "configuration reloaded: " + (changes.isEmpty() ? "no forward changed" : String.join("; ", changes))
                    + (restart.isEmpty() ? "" : "; these take a restart and are kept as they were: " + String.join("; ", restart));
            log.info("{}", line);
            return line;
        });
    }

    /** Where {@link #reloadNow} reads the configuration again: the command line as given and the config file as it is now. */
    private volatile java.util.concurrent.Callable<ClientConfig> configSource;

    public void reloadFrom(java.util.concurrent.Callable<ClientConfig> source) {
        this.configSource = source;
    }

    /**
     * SIGHUP and 'client-service reload': reads the configuration again and applies it ({@link #reload});
     * a configuration with an error is refused and the running one stays. Returns the line logged, which
     * starts with "error: " when it was refused.
     */
    public synchronized String reloadNow() {
        java.util.concurrent.Callable<ClientConfig> source = configSource;
        if (source == null) {
            return "error: this client-service was not started from a command line; nothing to reload";
        }
        try {
            return reload(source.call());
        } catch (Exception e) {
            String why = "reload refused, the running configuration stays: " + e.getMessage();
            log.warn("{}", why);
            return "error: " + why;
        }
    }

    /** Stops accepting app connections (the forwards' ports close) and lets the open streams finish. */
    @Override
    public void drain(java.time.Duration timeout, Runnable drained) {
        engine.loop().execute(() -> {
            if (!draining) {
                draining = true;
                closeListeners();
                Drain.start(engine.loop(), timeout, uplinks::streamCount, drained);
            }
        });
    }

    @Override
    public void close() {
        endpoints.closeAll();
        if (poller != null) {
            poller.close();
        }
        uplinks.closeResolvers();
        try {
            engine.loop().call(() -> {
                closeListeners();
                uplinks.stop();
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
