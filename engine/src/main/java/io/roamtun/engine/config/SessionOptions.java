package io.roamtun.engine.config;

import io.roamtun.engine.text.Durations;
import io.roamtun.engine.text.Sizes;
import io.roamtun.engine.text.UsageException;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import java.time.Duration;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** The session and link options both agents take, parsed and checked in one place. */
public final class SessionOptions {
    /** Room for the minimums of four sessions (two on each half of the budget would do; four leaves margin). */
    private static final long MIN_BUFFER_MEMORY = 4L << 20;

    private SessionOptions() {}

    public static void addTo(Options o, String peer) {
        o.addOption(Option.builder().longOpt("dead-after").hasArg().argName("DURATION")
                .desc("declare the link dead after this long without a byte from the " + peer + " (default 3s)").build());
        o.addOption(Option.builder().longOpt("replay-buffer").hasArg().argName("SIZE")
                .desc("unacknowledged bytes kept per session; when full, local sockets wait (default 8MiB)").build());
        o.addOption(Option.builder().longOpt("stream-window").hasArg().argName("SIZE")
                .desc("bytes buffered per stream before the sender waits (default 512KiB); grows up to 8x "
                        + "for a stream whose app keeps up").build());
        o.addOption(Option.builder().longOpt("drain-timeout").hasArg().argName("DURATION")
                .desc("on SIGTERM, how long open streams may take to finish before they are reset (default 30s; "
                        + "a second SIGTERM stops at once)").build());
        o.addOption(Option.builder().longOpt("metrics").hasArg().argName("HOST:PORT")
                .desc("serve Prometheus metrics on http://HOST:PORT/metrics (default: none); 127.0.0.1 keeps them local")
                .build());
        boolean server = peer.equals("client");
        o.addOption(Option.builder().longOpt("max-buffer-memory").hasArg().argName("SIZE")
                .desc(server ? "buffer memory for all sessions together (default 256MiB): half is set aside as a 512KiB "
                        + "minimum per session (more sessions are refused), half is shared; when it is used up, "
                        + "local sockets wait"
                        : "buffer memory of the sessions, one per server (default 256MiB): how far their buffers may "
                        + "grow together; when it is used up, local sockets wait").build());
    }

    public static SessionSettings session(AgentCommandLine cli, int maxStreams, Duration connectTimeout) throws UsageException {
        SessionSettings d = SessionSettings.defaults();
        long replay = cli.value("replay-buffer") == null ? d.replayBufferBytes() : Sizes.parse("--replay-buffer", cli.value("replay-buffer"));
        if (replay < 1L << 20 || replay > 1L << 32) {
            throw new UsageException("--replay-buffer: must be between 1MiB and 4GiB");
        }
        long window = cli.value("stream-window") == null ? d.streamWindow() : Sizes.parse("--stream-window", cli.value("stream-window"));
        if (window < 16 << 10 || window > 1 << 30) {
            throw new UsageException("--stream-window: must be between 16KiB and 1GiB");
        }
        long memory = cli.value("max-buffer-memory") == null ? d.bufferMemory()
                : Sizes.parse("--max-buffer-memory", cli.value("max-buffer-memory"));
        if (memory < MIN_BUFFER_MEMORY || memory > 1L << 40) {
            throw new UsageException("--max-buffer-memory: must be between 4MiB and 1TiB");
        }
        return new SessionSettings(replay, (int) window, maxStreams, connectTimeout, memory);
    }

    /** {@code --drain-timeout}: 0 to 1 hour, 30 s unless given. */
    public static Duration drainTimeout(AgentCommandLine cli) throws UsageException {
        Duration timeout = cli.value("drain-timeout") == null ? Duration.ofSeconds(30)
                : Durations.parse("--drain-timeout", cli.value("drain-timeout"));
        if (timeout.isNegative() || timeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new UsageException("--drain-timeout: must be between 0s and 1h");
        }
        return timeout;
    }

    /** {@code --metrics HOST:PORT}, or null when not given. */
    public static java.net.InetSocketAddress metrics(AgentCommandLine cli) throws UsageException {
        String spec = cli.value("metrics");
        if (spec == null) {
            return null;
        }
        io.roamtun.engine.text.HostPort.checkSyntax("--metrics", spec);
        return io.roamtun.engine.text.HostPort.parse("--metrics", spec);
    }

    public static LinkSettings link(AgentCommandLine cli) throws UsageException {
        Duration deadAfter = cli.value("dead-after") == null ? Duration.ofSeconds(3) : Durations.parse("--dead-after", cli.value("dead-after"));
        if (deadAfter.toMillis() < 300) {
            throw new UsageException("--dead-after: must be at least 300ms");
        }
        return LinkSettings.forDeadAfter(deadAfter, Duration.ofSeconds(10));
    }

    /** A whole-number option that must be positive, or {@code fallback} when absent. */
    public static int positive(AgentCommandLine cli, String option, int fallback) throws UsageException {
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
}
