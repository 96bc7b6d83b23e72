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
import java.net.InetSocketAddress;
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
        o.addOption(Option.builder().longOpt("insecure-plaintext")
                .desc("run without TLS; required until TLS support lands, and only for trusted networks").build());
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
        if (!cli.has("insecure-plaintext")) {
            throw new UsageException("TLS is not available in this version yet: pass --insecure-plaintext to run "
                    + "without encryption, on a network you trust");
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
        return new ServerConfig(listen, new ServiceDirectory(services), sessionSettings(cli), linkSettings(cli), sessionTimeout);
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
        log.warn("RUNNING WITHOUT ENCRYPTION (--insecure-plaintext): anyone on the path can read and alter the traffic");
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
