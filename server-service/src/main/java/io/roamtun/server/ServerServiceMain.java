package io.roamtun.server;

import io.roamtun.engine.admin.MetricsEndpoint;
import io.roamtun.engine.admin.AdminSocket;
import io.roamtun.engine.admin.AdminSockets;
import io.roamtun.engine.loop.ShutdownWait;
import io.roamtun.engine.config.AgentCommandLine;
import io.roamtun.engine.text.Durations;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.IoErrors;
import io.roamtun.engine.config.SessionOptions;
import io.roamtun.engine.text.UsageException;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.protocol.ServiceNames;
import java.io.IOException;
import io.roamtun.engine.tls.KeyMaterial;
import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.engine.transport.TlsTransportFactory;
import io.roamtun.engine.transport.TransportFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.Provider;
import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code server-service}: the command line. */
public final class ServerServiceMain {
    private ServerServiceMain() {}

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("listen").hasArg().argName("HOST:PORT")
                .desc("where client-services connect (required), e.g. 0.0.0.0:7000").build());
        o.addOption(Option.builder().longOpt("service").hasArg().argName("NAME=HOST:PORT")
                .desc("a backend service clients may open; repeat for more").build());
        o.addOption(Option.builder().longOpt("udp-service").hasArg().argName("NAME=HOST:PORT")
                .desc("a UDP service clients may send datagrams to (client-service --forward-udp PORT=NAME); repeat for more").build());
        o.addOption(Option.builder().longOpt("allow-expose").hasArg().argName("PORTS")
                .desc("ports any client may ask this server to listen on for it (client-service --expose), e.g. "
                        + "8080,20000-20100; a client's own line in the clients file ('client add --expose') may add more").build());
        o.addOption(Option.builder().longOpt("expose-address-pool").hasArg().argName("CIDR")
                .desc("give each client's exposed ports an address of its own from this network (e.g. 127.77.0.0/16, "
                        + "which loopback serves without set-up), so several clients can expose one port; a client's "
                        + "fixed address ('client add --expose-address') wins (default: all on 127.0.0.1)").build());
        o.addOption(Option.builder().longOpt("dir").hasArg().argName("DIR")
                .desc("the server's key, certificate and clients, made by 'server-service init --dir DIR' (required for TLS)").build());
        o.addOption(Option.builder().longOpt("tls-provider").hasArg().argName("auto|conscrypt|jdk")
                .desc("TLS implementation (default auto: Conscrypt where it loads, else the JDK's)").build());
        o.addOption(Option.builder().longOpt("insecure-plaintext")
                .desc("run without TLS: anyone on the path reads and alters the traffic; for tests and trusted networks only").build());
        o.addOption(Option.builder().longOpt("max-sessions").hasArg().argName("N")
                .desc("sessions at once, all clients together (default 4096); --max-buffer-memory also bounds it, "
                        + "512KiB per session (256MiB: 256 sessions)").build());
        o.addOption(Option.builder().longOpt("max-sessions-per-client").hasArg().argName("N")
                .desc("sessions at once per client (default 16)").build());
        o.addOption(Option.builder().longOpt("max-pending").hasArg().argName("N")
                .desc("connections still in their handshake at once; beyond it the oldest of the busiest address "
                        + "is ended (default 2048)").build());
        o.addOption(Option.builder().longOpt("max-streams-per-client").hasArg().argName("N")
                .desc("streams one client's sessions may have open at once (default three quarters of the "
                        + "server's total, which is kept below its file descriptor limit)").build());
        o.addOption(Option.builder().longOpt("max-pending-per-address").hasArg().argName("N")
                .desc("of those, from one source address; beyond it that address's oldest is ended "
                        + "(default an eighth of --max-pending, at least 4)").build());
        o.addOption(Option.builder().longOpt("connect-timeout").hasArg().argName("DURATION")
                .desc("how long to wait for a backend connect (default 10s)").build());
        o.addOption(Option.builder().longOpt("session-timeout").hasArg().argName("DURATION")
                .desc("how long a session whose client vanished is kept for it to resume (default 10m)").build());
        o.addOption(Option.builder().longOpt("admin-socket").hasArg().argName("PATH")
                .desc("control socket for 'server-service status', 'drain' and 'reload' (default "
                        + "$XDG_RUNTIME_DIR/roamtun-server/server-service.sock)").build());
        o.addOption(Option.builder().longOpt("node-id").hasArg().argName("ID")
                .desc("this server's name in a fleet of server-services sharing one --dir behind a load balancer "
                        + "(letters, digits, '.', '_', '-'); needs --advertise").build());
        o.addOption(Option.builder().longOpt("advertise").hasArg().argName("HOST:PORT")
                .desc("where clients reach this node directly, past the balancer: a RESUME the balancer sends to "
                        + "another node is redirected here").build());
        SessionOptions.addTo(o, "client");
        o.addOption(Option.builder().longOpt("max-streams").hasArg().argName("N")
                .desc("streams per session (default 65536)").build());
        return o;
    }

    /** Turns the parsed command line into a configuration, or says what is wrong with it. */
    static ServerConfig configure(AgentCommandLine cli) throws UsageException {
        // What is written wrong is said first: before the key, and before any DNS look-up.
        String listenSpec = cli.require("listen");
        HostPort.checkSyntax("--listen", listenSpec);
        Map<String, String> serviceSpecs = serviceSpecs("--service", cli.values("service"), Map.of());
        Map<String, String> udpServiceSpecs = serviceSpecs("--udp-service", cli.values("udp-service"), serviceSpecs);
        boolean plaintext = cli.has("insecure-plaintext");
        ServerDirectory dir = cli.value("dir") == null ? null : new ServerDirectory(Path.of(cli.value("dir")));
        TransportFactory transports;
        TlsProviders.Mode mode = TlsProviders.parse("--tls-provider", cli.value("tls-provider"));
        if (plaintext) {
            transports = TransportFactory.plaintext();
        } else {
            if (dir == null) {
                throw new UsageException("TLS needs the server's key: run 'server-service init --dir DIR' once, then pass "
                        + "--dir DIR (or --insecure-plaintext for a test without encryption)");
            }
            transports = serverTls(dir, mode);
        }
        FleetNode fleet = fleet(cli, dir);
        InetSocketAddress listen = HostPort.parse("--listen", listenSpec);
        Map<String, InetSocketAddress> services = resolved("--service", serviceSpecs);
        Map<String, InetSocketAddress> udpServices = resolved("--udp-service", udpServiceSpecs);
        PortRanges allowExpose = PortRanges.parse("--allow-expose", cli.value("allow-expose"));
        io.roamtun.engine.text.Cidr pool = cli.value("expose-address-pool") == null ? null
                : io.roamtun.engine.text.Cidr.parse("--expose-address-pool", cli.value("expose-address-pool"));
        if (services.isEmpty() && udpServices.isEmpty() && allowExpose.isEmpty() && dir == null) {
            throw new UsageException("no --service given: clients would have nothing to open (and no --allow-expose: nothing to expose)");
        }
        int maxPending = SessionOptions.positive(cli, "max-pending", ServerConfig.DEFAULT_MAX_PENDING_LINKS);
        Duration sessionTimeout = cli.value("session-timeout") == null ? ServerConfig.DEFAULT_SESSION_TIMEOUT
                : Durations.parse("--session-timeout", cli.value("session-timeout"));
        return new ServerConfig(listen, new ServiceDirectory(services), sessionSettings(cli), SessionOptions.link(cli), sessionTimeout,
                transports, dir == null ? null : dir.clients(), SessionOptions.positive(cli, "max-sessions", ServerConfig.DEFAULT_MAX_SESSIONS),
                SessionOptions.positive(cli, "max-sessions-per-client", ServerConfig.DEFAULT_MAX_SESSIONS_PER_CLIENT),
                maxPending, SessionOptions.positive(cli, "max-pending-per-address", ServerConfig.defaultMaxPendingPerAddress(maxPending)),
                cli.value("max-streams-per-client") == null ? 0 : SessionOptions.positive(cli, "max-streams-per-client", 1),
                new ExposePolicy(allowExpose, pool), new ServiceDirectory(udpServices), fleet);
    }

    /** --node-id and --advertise, with the fleet key from the shared --dir's private key; null outside a fleet. */
    private static FleetNode fleet(AgentCommandLine cli, ServerDirectory dir) throws UsageException {
        String node = cli.value("node-id");
        String advertise = cli.value("advertise");
        if (node == null && advertise == null) {
            return null;
        }
        if (node == null || advertise == null) {
            throw new UsageException("--node-id and --advertise go together: a node of a fleet needs both (its name, and where "
                    + "clients reach it past the balancer)");
        }
        if (!node.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new UsageException("--node-id: '" + node + "' is not a node id (letters, digits, '.', '_', '-'; up to 64)");
        }
        java.net.InetAddress at = HostPort.parseLiteral("--advertise", advertise).getAddress(); // clients follow a redirect without a DNS look-up
        if (at.isAnyLocalAddress() || at.isMulticastAddress()) {
            throw new UsageException("--advertise: " + at.getHostAddress() + " is not an address clients can reach this node at");
        }
        if (dir == null) {
            throw new UsageException("--node-id: a fleet's nodes share one --dir (their key makes the fleet's): give --dir DIR");
        }
        try {
            return FleetNode.of(node, advertise.trim(), dir.keyMaterial().key());
        } catch (java.io.IOException e) {
            throw new UsageException("--dir: " + IoErrors.describe(e));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new UsageException("--node-id: " + e.getMessage());
        }
    }

    /**
     * {@code NAME=HOST:PORT} values of {@code flag}, checked but not looked up, by name; a name given twice, or
     * one already in {@code taken} (TCP and UDP services share one set of names), is an error.
     */
    private static Map<String, String> serviceSpecs(String flag, List<String> values, Map<String, String> taken)
            throws UsageException {
        Map<String, String> specs = new LinkedHashMap<>();
        for (String spec : values) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(flag + ": '" + spec + "' is not NAME=HOST:PORT");
            }
            String name = spec.substring(0, eq).trim();
            if (!ServiceNames.isValid(name)) {
                throw new UsageException(flag + ": '" + name + "' is not a valid name (letters, digits, '.', '_', '-'; up to 255)");
            }
            HostPort.checkSyntax(flag + " " + name, spec.substring(eq + 1));
            if (specs.put(name, spec.substring(eq + 1)) != null || taken.containsKey(name)) {
                throw new UsageException(flag + ": '" + name + "' is given twice"
                        + (taken.containsKey(name) ? " (TCP and UDP services share one set of names)" : ""));
            }
        }
        return specs;
    }

    private static Map<String, InetSocketAddress> resolved(String flag, Map<String, String> specs) throws UsageException {
        Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (Map.Entry<String, String> spec : specs.entrySet()) {
            addresses.put(spec.getKey(), HostPort.parse(flag + " " + spec.getKey(), spec.getValue()));
        }
        return addresses;
    }

    /** TLS with the key in {@code dir}; public for tests and embedding. */
    public static TransportFactory serverTls(ServerDirectory dir, TlsProviders.Mode mode) throws UsageException {
        try {
            Provider provider = TlsProviders.provider(mode);
            KeyMaterial material = dir.keyMaterial().forProvider(provider);
            SSLContext context = TlsProviders.context(provider);
            context.init(material.keyManagers(), null, null);
            try {
                material.leaf().checkValidity();
            } catch (java.security.cert.CertificateException expired) {
                LoggerFactory.getLogger(ServerServiceMain.class).warn(
                        "the server certificate is not valid now (valid {} to {}): clients will refuse it",
                        material.leaf().getNotBefore(), material.leaf().getNotAfter());
            }
            return new TlsTransportFactory(context, provider, false, false);
        } catch (java.io.IOException e) {
            throw new UsageException("--dir: " + IoErrors.describe(e));
        } catch (java.security.GeneralSecurityException e) {
            throw new UsageException("--dir: " + e.getMessage());
        }
    }

    /** {@code status | drain | reload [--admin-socket PATH]}: asks the running server-service. */
    static int control(String[] args) {
        String command = args[0];
        Options options = new Options();
        options.addOption(Option.builder().longOpt("admin-socket").hasArg().argName("PATH").build());
        options.addOption(Option.builder().longOpt("json").build());
        options.addOption(Option.builder("h").longOpt("help").build());
        org.apache.commons.cli.CommandLine cli;
        String usage = "usage: server-service status [--json] [--admin-socket PATH]   sessions, streams, bytes, resumes\n"
                + "       server-service drain [--admin-socket PATH]    as SIGTERM: no new sessions or streams, open ones finish, "
                + "then exit\n       server-service reload [--admin-socket PATH]   as SIGHUP: read the config file again\n"
                + "PATH defaults to " + AdminSockets.defaultSocket(ServerAdminRequests.AGENT, ServerAdminRequests.AGENT);
        try {
            cli = org.apache.commons.cli.DefaultParser.builder().setAllowPartialMatching(false).build()
                    .parse(options, java.util.Arrays.copyOfRange(args, 1, args.length));
        } catch (org.apache.commons.cli.ParseException e) {
            System.err.println("server-service: " + e.getMessage() + " (server-service " + command + " --help)");
            return UsageException.EXIT_CODE;
        }
        if (cli.hasOption("help")) {
            System.out.println(usage);
            return 0;
        }
        if (!cli.getArgList().isEmpty()) {
            System.err.println("server-service: unexpected '" + cli.getArgList().get(0) + "' (server-service " + command + " --help)");
            return UsageException.EXIT_CODE;
        }
        Path socket = cli.hasOption("admin-socket") ? Path.of(cli.getOptionValue("admin-socket"))
                : AdminSockets.defaultSocket(ServerAdminRequests.AGENT, ServerAdminRequests.AGENT);
        if (cli.hasOption("json") && !command.equals("status")) {
            System.err.println("server-service: --json is for status only");
            return UsageException.EXIT_CODE;
        }
        return AdminSockets.run(socket, cli.hasOption("json") ? "status json" : command, ServerAdminRequests.AGENT);
    }

    static SessionSettings sessionSettings(AgentCommandLine cli) throws UsageException {
        SessionSettings d = SessionSettings.defaults();
        Duration connectTimeout = cli.value("connect-timeout") == null ? d.connectTimeout()
                : Durations.parse("--connect-timeout", cli.value("connect-timeout"));
        return SessionOptions.session(cli, SessionOptions.positive(cli, "max-streams", d.maxStreams()), connectTimeout);
    }

    public static void main(String[] args) {
        System.setProperty("roamtun.agent", "server-service");
        if (args.length > 0 && (args[0].equals("init") || args[0].equals("client"))) {
            System.exit(ServerAdminCommands.run(args));
            return;
        }
        if (args.length > 0 && (args[0].equals("status") || args[0].equals("drain") || args[0].equals("reload"))) {
            System.exit(control(args));
            return;
        }
        AgentCommandLine cli = new AgentCommandLine("server-service", options(), Set.of("service"))
                .helpFooter("set-up commands: server-service init ... | client add|remove|list ... (server-service init --help); "
                        + "control: server-service status | drain | reload (server-service status --help)");
        ServerConfig config;
        java.time.Duration drainTimeout;
        InetSocketAddress metricsAt;
        try {
            if (!cli.parse(args)) {
                return;
            }
            config = configure(cli);
            drainTimeout = SessionOptions.drainTimeout(cli);
            metricsAt = SessionOptions.metrics(cli);
        } catch (UsageException e) {
            System.err.println("server-service: " + e.getMessage());
            System.exit(UsageException.EXIT_CODE);
            return;
        }
        Logger log = LoggerFactory.getLogger(ServerServiceMain.class);
        if (cli.has("insecure-plaintext")) {
            log.warn("RUNNING WITHOUT ENCRYPTION (--insecure-plaintext): anyone on the path can read and alter the traffic");
        }
        if (config.clients() == null) {
            log.warn("NO CLIENT AUTHENTICATION (no --dir): anyone who reaches {} can use the services", HostPort.format(config.listen()));
        }
        ServerService service;
        try {
            service = ServerService.start(config);
        } catch (IOException e) {
            log.error("{}", e.getMessage());
            System.exit(1);
            return;
        }
        Runnable reload = () -> {
            try {
                AgentCommandLine again = new AgentCommandLine("server-service", options(), Set.of("service"));
                if (again.parse(args)) { // the command line as given, the config file as it is now
                    service.reload(configure(again));
                }
            } catch (UsageException e) {
                log.warn("reload refused, the running configuration stays: {}", e.getMessage());
            }
        };
        ShutdownWait life = new ShutdownWait(service, drainTimeout, reload);
        Path adminPath = cli.value("admin-socket") != null ? Path.of(cli.value("admin-socket"))
                : AdminSockets.defaultSocket(ServerAdminRequests.AGENT, ServerAdminRequests.AGENT);
        try {
            service.attach(AdminSocket.start(adminPath, ServerAdminRequests.AGENT, new ServerAdminRequests(service, life)));
        } catch (IOException e) {
            if (cli.value("admin-socket") != null) { // asked for by name: without it the agent is not what was asked
                log.error("--admin-socket: {}", e.getMessage());
                service.close();
                System.exit(1);
                return;
            }
            log.warn("no admin socket ({}): 'server-service status' and 'drain' need one; give --admin-socket PATH", e.getMessage());
        }
        try {
            if (metricsAt != null) {
                service.attach(MetricsEndpoint.start(metricsAt, ServerAdminRequests.AGENT, service::figures));
            }
        } catch (IOException e) {
            log.error("{}", e.getMessage());
            service.close();
            System.exit(1);
            return;
        }
        life.run();
    }
}
