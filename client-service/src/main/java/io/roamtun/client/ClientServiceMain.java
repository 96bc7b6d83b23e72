package io.roamtun.client;

import io.roamtun.engine.admin.AdminSockets;
import io.roamtun.engine.loop.ShutdownWait;
import io.roamtun.client.paths.Multipath;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.client.paths.SystemInterfaces;
import io.roamtun.engine.config.AgentCommandLine;
import io.roamtun.engine.text.Durations;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.IoErrors;
import io.roamtun.engine.config.SessionOptions;
import io.roamtun.engine.text.UsageException;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.engine.transport.TransportFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code client-service}: the command line. */
public final class ClientServiceMain {
    private ClientServiceMain() {}

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("server").hasArg().argName("[NAME=]HOST:PORT")
                .desc("the server-service to connect to (required); for several, repeat with a NAME each: one session "
                        + "and uplink per server").build());
        o.addOption(Option.builder().longOpt("forward").hasArg().argName("[BIND_ADDR:]PORT=[SERVER/]NAME")
                .desc("listen on PORT (127.0.0.1 unless BIND_ADDR is given) for service NAME (of server SERVER, needed "
                        + "when there are several); repeat for more").build());
        o.addOption(Option.builder().longOpt("http-resume").hasArg().argName("PORT")
                .desc("the --forward on local PORT carries HTTP/1.1: a download cut by a lost session (its server "
                        + "died) is taken up again at the byte the app has, with a Range request on the next session, "
                        + "instead of being reset; repeat for more").build());
        o.addOption(Option.builder().longOpt("expose-udp").hasArg().argName("[SERVER/]PORT=[HOST:]LOCALPORT")
                .desc("reverse UDP: the server-service receives datagrams on UDP PORT for this client and each source "
                        + "there is a flow to HOST:LOCALPORT here; the server must allow PORT; repeat for more").build());
        o.addOption(Option.builder().longOpt("forward-udp").hasArg().argName("[BIND_ADDR:]PORT=[SERVER/]NAME")
                .desc("receive UDP datagrams on PORT (127.0.0.1 unless BIND_ADDR is given) for the server's UDP service "
                        + "NAME (server-service --udp-service); each source is a flow, answered from this port; repeat for more").build());
        o.addOption(Option.builder().longOpt("expose").hasArg().argName("[SERVER/]PORT=[HOST:]LOCALPORT")
                .desc("reverse tunnel: the server-service listens on PORT for this client and each connection there "
                        + "reaches HOST:LOCALPORT here (host 127.0.0.1 unless given); the server must allow PORT "
                        + "(--allow-expose, or 'client add --expose'); repeat for more").build());
        o.addOption(Option.builder().longOpt("allow-from").hasArg().argName("CIDR|any")
                .desc("gateway mode: who besides this machine may connect to the forwards (e.g. 192.168.1.0/24); "
                        + "repeat for more; 'any' for everyone. Needed for a forward on a non-loopback address").build());
        o.addOption(Option.builder().longOpt("server-fingerprint").hasArg().argName("[SERVER=]sha256:HEX")
                .desc("trust exactly the server certificate with this SHA-256 (printed by 'server-service init'); "
                        + "SERVER= for one of several servers, else for all").build());
        o.addOption(Option.builder().longOpt("server-ca").hasArg().argName("[SERVER=]FILE")
                .desc("trust server certificates signed by this CA (PEM); the server's name is checked").build());
        o.addOption(Option.builder().longOpt("credential").hasArg().argName("[SERVER=]NAME:SECRET")
                .desc("this client's credential (visible in ps: prefer --credential-file)").build());
        o.addOption(Option.builder().longOpt("credential-file").hasArg().argName("[SERVER=]FILE")
                .desc("read the credential NAME:SECRET from this file (keep it 0600)").build());
        o.addOption(Option.builder().longOpt("tls-provider").hasArg().argName("auto|conscrypt|jdk")
                .desc("TLS implementation (default auto: Conscrypt where it loads, else the JDK's)").build());
        o.addOption(Option.builder().longOpt("insecure-plaintext")
                .desc("run without TLS: anyone on the path reads and alters the traffic; for tests and trusted networks only").build());
        o.addOption(Option.builder().longOpt("poll-interval").hasArg().argName("DURATION")
                .desc("how often the interface table is read (default 500ms)").build());
        o.addOption(Option.builder().longOpt("prefer").hasArg().argName("IF1,IF2,...")
                .desc("interfaces in order of preference, names or globs like wl* (default: any usable one)").build());
        o.addOption(Option.builder().longOpt("multipath").hasArg().argName("MODE")
                .desc("how a second interface is used: off, standby (default: a second link kept open, moved to at once), "
                        + "redundant (frames sent over both, up to --redundant-max), aggregate (frames spread over both)").build());
        o.addOption(Option.builder().longOpt("redundant-max").hasArg().argName("RATE")
                .desc("redundant: bytes a second copied over the second link, above which bulk goes on the best path only "
                        + "(default 256KiB)").build());
        o.addOption(Option.builder().longOpt("metered").hasArg().argName("PATTERN")
                .desc("an interface whose traffic costs (repeatable; names or globs like wwan*): used last, and beside another "
                        + "link only for the standby, redundant copies within --redundant-max, never for aggregate bulk").build());
        o.addOption(Option.builder().longOpt("exclude").hasArg().argName("PATTERN")
                .desc("never use interfaces matching this glob; repeat for more (loopback and virtual ones such as "
                        + "docker*, veth*, br-*, tun* are excluded unless named in --prefer)").build());
        o.addOption(Option.builder().longOpt("admin-socket").hasArg().argName("PATH")
                .desc("control socket for 'client-service status', 'switch' and 'reload' (default "
                        + "$XDG_RUNTIME_DIR/roamtun/INSTANCE.sock)").build());
        o.addOption(Option.builder().longOpt("instance").hasArg().argName("NAME")
                .desc("this client-service's name, for its default admin socket, so several of one user do not "
                        + "collide (default: the --config file's name without .properties, else client-service)").build());
        SessionOptions.addTo(o, "server");
        return o;
    }

    /** {@code status [--admin-socket PATH]} and {@code switch IFNAME [--admin-socket PATH]}. */
    static int control(String[] args) {
        String command = args[0];
        String usage = "usage: client-service status [--json] [--admin-socket PATH | --instance NAME]   the session, its path, the "
                + "interfaces, the last handovers\n       client-service switch IFNAME [...]   move the session to "
                + "this interface now (make-before-break)\n       client-service reload [...]   read the "
                + "config file again and apply the forwards that changed\nPATH defaults to the socket of the only "
                + "client-service running, in " + AdminSockets.defaultDir(ClientAdminRequests.AGENT) + "; with several, --instance NAME says which";
        Options options = new Options();
        options.addOption(Option.builder().longOpt("admin-socket").hasArg().argName("PATH").build());
        options.addOption(Option.builder().longOpt("instance").hasArg().argName("NAME").build());
        options.addOption(Option.builder().longOpt("json").build());
        options.addOption(Option.builder("h").longOpt("help").build());
        org.apache.commons.cli.CommandLine cli;
        try {
            cli = org.apache.commons.cli.DefaultParser.builder().setAllowPartialMatching(false).build()
                    .parse(options, java.util.Arrays.copyOfRange(args, 1, args.length));
        } catch (org.apache.commons.cli.ParseException e) {
            System.err.println("client-service: " + e.getMessage() + "; usage: client-service status [--admin-socket PATH]"
                    + " | client-service switch IFNAME [--admin-socket PATH]");
            return UsageException.EXIT_CODE;
        }
        if (cli.hasOption("help")) {
            System.out.println(usage);
            return 0;
        }
        Path socket;
        try {
            socket = cli.hasOption("admin-socket") ? Path.of(cli.getOptionValue("admin-socket"))
                    : cli.hasOption("instance") ? AdminSockets.defaultSocket(ClientAdminRequests.AGENT, instanceName("--instance", cli.getOptionValue("instance")))
                    : AdminSockets.findSocket(ClientAdminRequests.AGENT);
        } catch (UsageException e) {
            System.err.println("client-service: " + e.getMessage());
            return UsageException.EXIT_CODE;
        }
        List<String> words = cli.getArgList();
        int expected = command.equals("switch") ? 1 : 0;
        if (words.size() != expected) {
            System.err.println(command.equals("switch") && words.isEmpty()
                    ? "client-service: switch needs an interface name: client-service switch IFNAME [--admin-socket PATH]"
                    : "client-service: unexpected '" + words.get(expected) + "'; usage: client-service status [--admin-socket PATH]"
                            + " | client-service switch IFNAME [--admin-socket PATH]");
            return UsageException.EXIT_CODE;
        }
        if (cli.hasOption("json") && !command.equals("status")) {
            System.err.println("client-service: --json is for status only");
            return UsageException.EXIT_CODE;
        }
        String request = command.equals("switch") ? "switch " + words.get(0) : cli.hasOption("json") ? "status json" : command;
        return AdminSockets.run(socket, request, ClientAdminRequests.AGENT);
    }

    static ClientConfig configure(AgentCommandLine cli) throws UsageException {
        // What is written wrong is said first: before trust, credentials, and any DNS look-up of the server.
        Map<String, String> servers = UpstreamOptions.servers(cli);
        SourceFilter allowFrom = SourceFilter.parse(cli.values("allow-from"));
        List<Forward> forwards = forwards("--forward", cli.values("forward"), allowFrom, "connect");
        for (String value : cli.values("http-resume")) {
            int port = HostPort.parsePort("--http-resume", value);
            boolean found = false;
            for (int i = 0; i < forwards.size(); i++) { // every forward on that port (on several addresses, say)
                if (port != 0 && forwards.get(i).listen().getPort() == port) {
                    forwards.set(i, forwards.get(i).resumingHttp());
                    found = true;
                }
            }
            if (!found) {
                throw new UsageException("--http-resume " + value + ": no --forward listens on port " + value);
            }
        }
        List<Forward> udp = forwards("--forward-udp", cli.values("forward-udp"), allowFrom, "send");
        List<UdpForward> udpForwards = udp.stream().map(f -> new UdpForward(f.listen(), f.server(), f.service())).toList();
        List<Expose> exposes = new ArrayList<>();
        exposes("--expose", cli.values("expose"), false, exposes);
        exposes("--expose-udp", cli.values("expose-udp"), true, exposes);
        for (Forward f : forwards) {
            checkServer("--forward " + f, f.server(), servers.keySet());
        }
        for (Forward f : udp) {
            checkServer("--forward-udp " + f, f.server(), servers.keySet());
        }
        for (Expose e : exposes) {
            checkServer((e.udp() ? "--expose-udp " : "--expose ") + e.serverPort(), e.server(), servers.keySet());
        }
        Set<String> asked = new HashSet<>(); // each port once per server, however the flag named it
        for (Expose e : exposes) {
            String server = servers.size() == 1 ? "" : e.server();
            if (!asked.add(server + (e.udp() ? " udp " : " tcp ") + e.port())) {
                throw new UsageException((e.udp() ? "--expose-udp" : "--expose") + ": port " + e.port() + " is given twice"
                        + (server.isEmpty() ? "" : " for server " + server));
            }
        }
        for (String server : servers.keySet()) {
            if (exposes.stream().filter(e -> e.server().equals(server) || servers.size() == 1).count() > io.roamtun.protocol.Wire.MAX_EXPOSES) {
                throw new UsageException("--expose, --expose-udp: at most " + io.roamtun.protocol.Wire.MAX_EXPOSES
                        + " ports per server, together" + (server.isEmpty() ? "" : " (server " + server + ")"));
            }
        }
        if (forwards.isEmpty() && exposes.isEmpty() && udpForwards.isEmpty()) {
            throw new UsageException("no --forward given: nothing to listen on (and no --expose: nothing to serve)");
        }
        List<Upstream> upstreams = UpstreamOptions.upstreams(cli, servers);
        SessionSettings d = SessionSettings.defaults();
        SessionSettings session = SessionOptions.session(cli, d.maxStreams(), d.connectTimeout());
        LinkSettings link = SessionOptions.link(cli);
        Duration poll = cli.value("poll-interval") == null ? ClientConfig.DEFAULT_POLL_INTERVAL
                : Durations.parse("--poll-interval", cli.value("poll-interval"));
        if (poll.toMillis() < 50) {
            throw new UsageException("--poll-interval: must be at least 50ms");
        }
        List<String> prefer = new ArrayList<>();
        for (String value : cli.values("prefer")) {
            for (String name : value.split(",")) {
                if (!name.isBlank()) {
                    prefer.add(name.trim());
                }
            }
        }
        List<String> exclude = cli.values("exclude");
        // Roaming when some server is reached through the interfaces (not on this machine, or --prefer given).
        boolean roaming = upstreams.stream().anyMatch(Upstream::roams);
        Path admin = cli.value("admin-socket") != null ? Path.of(cli.value("admin-socket")) : AdminSockets.defaultSocket(ClientAdminRequests.AGENT, instance(cli));
        return new ClientConfig(upstreams, forwards, session, link, roaming ? new SystemInterfaces() : null, poll,
                new PathPolicy(prefer, exclude, cli.values("metered"),
                        Multipath.parse(cli.value("multipath"), cli.value("redundant-max"))), admin, exposes, allowFrom, udpForwards);
    }

    /** A forward or expose ({@code what}) names a server there is, or none when there is one. */
    private static void checkServer(String what, String server, Set<String> servers) throws UsageException {
        if (server.isEmpty() && servers.size() > 1) {
            throw new UsageException(what + ": say which server, SERVER/... (servers: " + String.join(", ", servers) + ")");
        }
        if (!server.isEmpty() && !servers.contains(server)) {
            throw new UsageException(what + ": no --server named " + server
                    + (servers.contains("") ? " (name it: --server " + server + "=HOST:PORT)" : " (servers: " + String.join(", ", servers) + ")"));
        }
    }

    /**
     * The {@code [BIND_ADDR:]PORT=NAME} values of {@code flag} (--forward, --forward-udp): each address once,
     * and beyond loopback only with --allow-from (who may {@code verb}).
     */
    private static List<Forward> forwards(String flag, List<String> specs, SourceFilter allowFrom, String verb) throws UsageException {
        List<Forward> forwards = new ArrayList<>();
        Set<InetSocketAddress> seen = new HashSet<>();
        for (String spec : specs) {
            Forward forward = Forward.parse(flag, spec);
            if (forward.listen().getPort() != 0 && !seen.add(forward.listen())) {
                throw new UsageException(flag + ": " + HostPort.format(forward.listen()) + " is given twice");
            }
            if (!forward.listen().getAddress().isLoopbackAddress() && !allowFrom.givesAccess()) {
                throw new UsageException(flag + " " + forward + " listens beyond this machine: say who may " + verb + " with "
                        + "--allow-from CIDR (repeatable, e.g. 192.168.1.0/24), or --allow-from any");
            }
            forwards.add(forward);
        }
        return forwards;
    }

    /** The {@code PORT=[HOST:]LOCALPORT} values of {@code flag} (--expose, --expose-udp) into {@code into}: each port once. */
    private static void exposes(String flag, List<String> specs, boolean udp, List<Expose> into) throws UsageException {
        Set<String> ports = new HashSet<>();
        for (String spec : specs) {
            Expose expose = udp ? Expose.parseUdp(spec) : Expose.parse(spec);
            if (!ports.add(expose.serverPort())) {
                throw new UsageException(flag + ": port " + expose.serverPort() + " is given twice");
            }
            into.add(expose);
        }
    }

    /** --instance, else the --config file's name without its extension, else the default instance. */
    static String instance(AgentCommandLine cli) throws UsageException {
        if (cli.value("instance") != null) {
            return instanceName("--instance", cli.value("instance"));
        }
        Path config = cli.configFile();
        if (config == null || config.getFileName() == null) {
            return ClientAdminRequests.DEFAULT_INSTANCE;
        }
        String name = config.getFileName().toString().replaceFirst("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9._-]", "_");
        return name.isEmpty() ? ClientAdminRequests.DEFAULT_INSTANCE : instanceName("--config", name);
    }

    static String instanceName(String flag, String name) throws UsageException {
        if (!name.matches("[A-Za-z0-9._-]{1,64}") || name.startsWith(".")) {
            throw new UsageException(flag + ": '" + name + "' is not an instance name (letters, digits, '.', '_', '-'; up to 64)");
        }
        return name;
    }

    /** The command line: the options, those that may be repeated, and the config file's server groups. */
    static AgentCommandLine commandLine() {
        Set<String> repeatable = new HashSet<>(Set.of("forward", "forward-udp", "expose", "expose-udp", "allow-from", "prefer", "exclude",
                "server", "http-resume"));
        repeatable.addAll(UpstreamOptions.PER_SERVER.keySet());
        return new AgentCommandLine("client-service", options(), repeatable)
                .allowGroups("server", Set.copyOf(UpstreamOptions.PER_SERVER.values()));
    }

    public static void main(String[] args) {
        System.setProperty("roamtun.agent", "client-service");
        if (args.length > 0 && (args[0].equals("status") || args[0].equals("switch") || args[0].equals("reload"))) {
            System.exit(control(args));
            return;
        }
        AgentCommandLine cli = commandLine()
                .helpFooter("control: client-service status | switch IFNAME | reload (client-service status --help)");
        ClientConfig config;
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
            System.err.println("client-service: " + e.getMessage());
            System.exit(UsageException.EXIT_CODE);
            return;
        }
        Logger log = LoggerFactory.getLogger(ClientServiceMain.class);
        if (cli.has("insecure-plaintext")) {
            log.warn("RUNNING WITHOUT ENCRYPTION (--insecure-plaintext): anyone on the path can read and alter the traffic{}",
                    config.upstreams().stream().allMatch(u -> u.credential().isEmpty()) ? "" : ", and read the credential, which travels in clear");
        }
        ClientService service;
        try {
            service = ClientService.start(config);
        } catch (IOException e) {
            log.error("{}", e.getMessage());
            System.exit(1);
            return;
        }
        try {
            if (metricsAt != null) {
                service.attach(io.roamtun.engine.admin.MetricsEndpoint.start(metricsAt, ClientAdminRequests.AGENT, service::figures));
            }
        } catch (IOException e) {
            log.error("{}", e.getMessage());
            service.close();
            System.exit(1);
            return;
        }
        service.reloadFrom(() -> {
            AgentCommandLine again = commandLine();
            again.parse(args); // the command line as given, the config file as it is now
            return configure(again);
        });
        ShutdownWait.runUntilShutdown(service, drainTimeout, service::reloadNow);
    }
}
