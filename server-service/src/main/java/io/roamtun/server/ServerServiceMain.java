package io.roamtun.server;

import io.roamtun.engine.config.AgentCommandLine;
import io.roamtun.engine.config.Durations;
import io.roamtun.engine.config.HostPort;
import io.roamtun.engine.config.Sizes;
import io.roamtun.engine.config.UsageException;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.protocol.ServiceNames;
import java.io.IOException;
import io.roamtun.engine.tls.KeyMaterial;
import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.engine.tls.TlsTransportFactory;
import io.roamtun.engine.tls.TransportFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.Provider;
import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
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
        o.addOption(Option.builder().longOpt("dir").hasArg().argName("DIR")
                .desc("the server's key, certificate and clients, made by 'server-service init --dir DIR' (required for TLS)").build());
        o.addOption(Option.builder().longOpt("tls-provider").hasArg().argName("auto|conscrypt|jdk")
                .desc("TLS implementation (default auto: Conscrypt where it loads, else the JDK's)").build());
        o.addOption(Option.builder().longOpt("insecure-plaintext")
                .desc("run without TLS: anyone on the path reads and alters the traffic; for tests and trusted networks only").build());
        o.addOption(Option.builder().longOpt("max-sessions").hasArg().argName("N")
                .desc("sessions at once, all clients together (default 4096)").build());
        o.addOption(Option.builder().longOpt("max-sessions-per-client").hasArg().argName("N")
                .desc("sessions at once per client (default 16)").build());
        o.addOption(Option.builder().longOpt("max-pending").hasArg().argName("N")
                .desc("connections still in their handshake at once; more are refused (default 2048)").build());
        o.addOption(Option.builder().longOpt("connect-timeout").hasArg().argName("DURATION")
                .desc("how long to wait for a backend connect (default 10s)").build());
        o.addOption(Option.builder().longOpt("dead-after").hasArg().argName("DURATION")
                .desc("declare a link dead after this long without a byte from the client (default 3s)").build());
        o.addOption(Option.builder().longOpt("session-timeout").hasArg().argName("DURATION")
                .desc("how long a session whose client vanished is kept for it to resume (default 10m)").build());
        o.addOption(Option.builder().longOpt("replay-buffer").hasArg().argName("SIZE")
                .desc("unacknowledged bytes kept per session (default 8MiB)").build());
        o.addOption(Option.builder().longOpt("stream-window").hasArg().argName("SIZE")
                .desc("bytes buffered per stream before the sender waits (default 512KiB)").build());
        o.addOption(Option.builder().longOpt("max-streams").hasArg().argName("N")
                .desc("streams per session (default 65536)").build());
        return o;
    }

    /** Turns the parsed command line into a configuration, or says what is wrong with it. */
    static ServerConfig configure(AgentCommandLine cli) throws UsageException {
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
        InetSocketAddress listen = HostPort.parse("--listen", cli.require("listen"));
        Map<String, InetSocketAddress> services = new LinkedHashMap<>();
        for (String spec : cli.values("service")) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--service: '" + spec + "' is not NAME=HOST:PORT");
            }
            String name = spec.substring(0, eq).trim();
            if (!ServiceNames.isValid(name)) {
                throw new UsageException("--service: '" + name + "' is not a valid name (letters, digits, '.', '_', '-'; up to 255)");
            }
            if (services.put(name, HostPort.parse("--service " + name, spec.substring(eq + 1))) != null) {
                throw new UsageException("--service: '" + name + "' is given twice");
            }
        }
        if (services.isEmpty()) {
            throw new UsageException("no --service given: clients would have nothing to open");
        }
        Duration sessionTimeout = cli.value("session-timeout") == null ? ServerConfig.DEFAULT_SESSION_TIMEOUT
                : Durations.parse("--session-timeout", cli.value("session-timeout"));
        return new ServerConfig(listen, new ServiceDirectory(services), sessionSettings(cli), linkSettings(cli), sessionTimeout,
                transports, dir == null ? null : dir.clients(), positive(cli, "max-sessions", ServerConfig.DEFAULT_MAX_SESSIONS),
                positive(cli, "max-sessions-per-client", ServerConfig.DEFAULT_MAX_SESSIONS_PER_CLIENT),
                positive(cli, "max-pending", ServerConfig.DEFAULT_MAX_PENDING_LINKS));
    }

    private static int positive(AgentCommandLine cli, String option, int fallback) throws UsageException {
        String v = cli.value(option);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new UsageException("--" + option + ": '" + v + "' is not a positive number");
    }

    /** TLS with the key in {@code dir}; public for tests and embedding. */
    public static TransportFactory serverTls(ServerDirectory dir, TlsProviders.Mode mode) throws UsageException {
        try {
            KeyMaterial material = dir.keyMaterial();
            Provider provider = TlsProviders.provider(mode);
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
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new UsageException("--dir: " + e.getMessage());
        }
    }

    static SessionSettings sessionSettings(AgentCommandLine cli) throws UsageException {
        SessionSettings d = SessionSettings.defaults();
        long replay = cli.value("replay-buffer") == null ? d.replayBufferBytes() : Sizes.parse("--replay-buffer", cli.value("replay-buffer"));
        if (replay < 1L << 20 || replay > 1L << 32) {
            throw new UsageException("--replay-buffer: must be between 1MiB and 4GiB");
        }
        long window = cli.value("stream-window") == null ? d.streamWindow() : Sizes.parse("--stream-window", cli.value("stream-window"));
        if (window < 16 << 10 || window > 1 << 30) {
            throw new UsageException("--stream-window: must be between 16KiB and 1GiB");
        }
        int maxStreams = d.maxStreams();
        if (cli.value("max-streams") != null) {
            try {
                maxStreams = Integer.parseInt(cli.value("max-streams"));
            } catch (NumberFormatException e) {
                maxStreams = 0;
            }
            if (maxStreams < 1) {
                throw new UsageException("--max-streams: '" + cli.value("max-streams") + "' is not a positive number");
            }
        }
        Duration connectTimeout = cli.value("connect-timeout") == null ? d.connectTimeout()
                : Durations.parse("--connect-timeout", cli.value("connect-timeout"));
        return new SessionSettings(replay, (int) window, maxStreams, connectTimeout);
    }

    static LinkSettings linkSettings(AgentCommandLine cli) throws UsageException {
        Duration deadAfter = cli.value("dead-after") == null ? Duration.ofSeconds(3) : Durations.parse("--dead-after", cli.value("dead-after"));
        if (deadAfter.toMillis() < 300) {
            throw new UsageException("--dead-after: must be at least 300ms");
        }
        return LinkSettings.forDeadAfter(deadAfter, Duration.ofSeconds(10));
    }

    public static void main(String[] args) {
        System.setProperty("roamtun.agent", "server-service");
        if (args.length > 0 && (args[0].equals("init") || args[0].equals("client"))) {
            System.exit(ServerAdminCommands.run(args));
            return;
        }
        AgentCommandLine cli = new AgentCommandLine("server-service", options());
        ServerConfig config;
        try {
            if (!cli.parse(args)) {
                return;
            }
            config = configure(cli);
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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
