package io.roamtun.client;

import io.roamtun.engine.config.AgentCommandLine;
import io.roamtun.engine.config.Durations;
import io.roamtun.engine.config.HostPort;
import io.roamtun.engine.config.Sizes;
import io.roamtun.engine.config.UsageException;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code client-service}: the command line. */
public final class ClientServiceMain {
    private ClientServiceMain() {}

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("server").hasArg().argName("HOST:PORT")
                .desc("the server-service to connect to (required)").build());
        o.addOption(Option.builder().longOpt("forward").hasArg().argName("[BIND_ADDR:]PORT=NAME")
                .desc("listen on PORT (127.0.0.1 unless BIND_ADDR is given) for service NAME; repeat for more").build());
        o.addOption(Option.builder().longOpt("insecure-plaintext")
                .desc("run without TLS; required until TLS support lands, and only for trusted networks").build());
        o.addOption(Option.builder().longOpt("dead-after").hasArg().argName("DURATION")
                .desc("declare the link dead after this long without a byte from the server (default 3s)").build());
        o.addOption(Option.builder().longOpt("replay-buffer").hasArg().argName("SIZE")
                .desc("unacknowledged bytes kept per session (default 8MiB)").build());
        o.addOption(Option.builder().longOpt("stream-window").hasArg().argName("SIZE")
                .desc("bytes buffered per stream before the sender waits (default 512KiB)").build());
        return o;
    }

    static ClientConfig configure(AgentCommandLine cli) throws UsageException {
        if (!cli.has("insecure-plaintext")) {
            throw new UsageException("TLS is not available in this version yet: pass --insecure-plaintext to run "
                    + "without encryption, on a network you trust");
        }
        InetSocketAddress server = HostPort.parse("--server", cli.require("server"));
        List<Forward> forwards = new ArrayList<>();
        Set<InetSocketAddress> seen = new HashSet<>();
        for (String spec : cli.values("forward")) {
            Forward forward = Forward.parse(spec);
            if (forward.listen().getPort() != 0 && !seen.add(forward.listen())) {
                throw new UsageException("--forward: " + HostPort.format(forward.listen()) + " is given twice");
            }
            forwards.add(forward);
        }
        if (forwards.isEmpty()) {
            throw new UsageException("no --forward given: nothing to listen on");
        }
        SessionSettings d = SessionSettings.defaults();
        long replay = cli.value("replay-buffer") == null ? d.replayBufferBytes() : Sizes.parse("--replay-buffer", cli.value("replay-buffer"));
        if (replay < 1L << 20 || replay > 1L << 32) {
            throw new UsageException("--replay-buffer: must be between 1MiB and 4GiB");
        }
        long window = cli.value("stream-window") == null ? d.streamWindow() : Sizes.parse("--stream-window", cli.value("stream-window"));
        if (window < 16 << 10 || window > 1 << 30) {
            throw new UsageException("--stream-window: must be between 16KiB and 1GiB");
        }
        Duration deadAfter = cli.value("dead-after") == null ? Duration.ofSeconds(3) : Durations.parse("--dead-after", cli.value("dead-after"));
        if (deadAfter.toMillis() < 300) {
            throw new UsageException("--dead-after: must be at least 300ms");
        }
        return new ClientConfig(server, forwards, new SessionSettings(replay, (int) window, d.maxStreams(), d.connectTimeout()),
                LinkSettings.forDeadAfter(deadAfter, Duration.ofSeconds(10)));
    }

    public static void main(String[] args) {
        System.setProperty("roamtun.agent", "client-service");
        AgentCommandLine cli = new AgentCommandLine("client-service", options());
        ClientConfig config;
        try {
            if (!cli.parse(args)) {
                return;
            }
            config = configure(cli);
        } catch (UsageException e) {
            System.err.println("client-service: " + e.getMessage());
            System.exit(UsageException.EXIT_CODE);
            return;
        }
        Logger log = LoggerFactory.getLogger(ClientServiceMain.class);
        log.warn("RUNNING WITHOUT ENCRYPTION (--insecure-plaintext): anyone on the path can read and alter the traffic");
        ClientService service;
        try {
            service = ClientService.start(config);
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
