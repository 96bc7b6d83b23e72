package io.roamtun.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code roamtun-bench [--quick]}: every path measured with the same load generator against the same
 * backend in one run, printed as one table (figures are medians of the runs, with their min–max).
 */
public final class BenchMain {
    private static boolean handoverFailed;

    /** How much to measure; --quick keeps the whole run to seconds for CI. */
    /**
     * How much each figure moves. Throughput gets more rounds than the rest: it is what drifts most with the
     * machine's load, and its rounds are short.
     */
    record Sizes(long bulkBytes, int pingPongs, int connections, int idle, int manyStreams, int throughputRuns, int runs,
                 int handovers, int pipelinedPerClient, int manyClients) {
        /** The small-message load: this many clients at once, each with this many requests in flight. */
        static final int PIPELINED_CLIENTS = 50;
        static final int PIPELINE_DEPTH = 16;

        static Sizes full() {
            return new Sizes(1L << 30, 10_000, 2_000, 1_000, 10_000, 5, 3, 20, 4_000, 500);
        }

        static Sizes quick() {
            return new Sizes(64L << 20, 2_000, 300, 200, 1_000, 3, 3, 4, 400, 50);
        }
    }

    /** Everything measured for one path. */
    static final class Result {
        final String path;
        String unavailable;
        final Stat oneStream = new Stat();
        final Stat eightStreams = new Stat();
        /** CPU time of the path's own processes per GiB moved, one stream and eight. */
        final Stat cpuMsPerGiB = new Stat();
        final Stat cpuMsPerGiBEight = new Stat();
        final Stat p50 = new Stat();
        final Stat p99 = new Stat();
        final Stat p999 = new Stat();
        final Stat connectionsPerSecond = new Stat();
        final Stat pipelinedPerSecond = new Stat();
        final Stat idleRssMiB = new Stat();
        final Stat idleHeapMiB = new Stat();
        final Stat idleHeapKiBPerConnection = new Stat();
        String manyStreamsHeld = "-";
        /** Handover pauses by --multipath mode ("off", "standby", "redundant"); empty when not measured. */
        java.util.Map<String, HandoverBench.Figures> handovers = new java.util.LinkedHashMap<>();
        String handoverFailure;
        String aggregate = "n/a";
        final Stat tlsHandshakesPerSecond = new Stat();
        /** TLS alone: Conscrypt encrypting and decrypting in memory, no socket (a floor under the TLS path). */
        final Stat tlsCryptoMsPerGiB = new Stat();
        /** The same with the JDK's provider, AES-128-GCM as with Conscrypt. */
        final Stat tlsCryptoJdkMsPerGiB = new Stat();
        final Stat tlsServerMicrosPerHandshake = new Stat();
        final Stat manyStreamsRssMiB = new Stat();
        final Stat manyStreamsHeapMiB = new Stat();
        final Stat udpP50 = new Stat();
        final Stat udpP99 = new Stat();
        final Stat udpPerSecond = new Stat();
        ManyClientsBench.Figures manyClients;
        String manyClientsFailure;

        Result(String path) {
            this.path = path;
        }
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        java.util.Set<String> only = new java.util.HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--only" -> {
                    if (i + 1 >= args.length) {
                        System.err.println("roamtun-bench: --only needs a comma-separated list of paths");
                        System.exit(2);
                    }
                    only.addAll(List.of(args[++i].split(",")));
                }
                case "--help", "-h" -> {
                    System.out.println("usage: roamtun-bench [--quick] [--only PATH,...]\n"
                            + "  Measures direct, socat, ssh -L (default cipher and aes128-gcm), stunnel and roamtun on loopback\n"
                            + "  in one run and prints a table.\n"
                            + "  Peers are used when installed (Debian: apt-get install socat openssh-server openssh-client stunnel4).\n"
                            + "  --quick  small sizes, for CI (seconds); the full run moves 1 GiB per figure and takes minutes.\n"
                            + "  --only   measure only these paths (direct, socat, ssh -L, ssh -L aes128-gcm, stunnel, roamtun, roamtun TLS), e.g. --only direct,roamtun");
                    return;
                }
                default -> {
                    System.err.println("roamtun-bench: unknown argument '" + arg + "' (see --help)");
                    System.exit(2);
                }
            }
        }
        Sizes sizes = quick ? Sizes.quick() : Sizes.full();
        // The handover figure runs agents in this JVM: keep their per-event log lines out of the table.
        if (!Boolean.getBoolean("roamtun.bench.verbose")
                && org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        Path work = Files.createTempDirectory("roamtun-bench");
        Process backendProcess = Processes.startJava(work.resolve("backend.log"), List.of("-Xmx256m", "-XX:+UseSerialGC"),
                BenchBackend.class.getName());
        List<Result> results = new ArrayList<>();
        List<Running> running = new ArrayList<>();
        try {
            int backendPort = Integer.parseInt(Processes.awaitLine(work.resolve("backend.log"), backendProcess, "listening (\\d+)", 30));
            InetSocketAddress backend = new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort);
            int udpPort = Integer.parseInt(Processes.awaitLine(work.resolve("backend.log"), backendProcess, "udp (\\d+)", 30));
            InetSocketAddress udpEcho = new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort);
            for (BenchPath path : Paths.all(work)) {
                if (only.isEmpty() || only.contains(path.name())) {
                    Result r = new Result(path.name());
                    results.add(r);
                    path.udpBackend(udpEcho);
                    Running started = start(path, backend, r, sizes.bulkBytes());
                    if (started != null) {
                        running.add(started);
                    }
                }
            }
            measureThroughput(running, sizes);
            for (Running path : running) {
                measureTheRest(path, sizes, work);
            }
        } finally {
            for (Running path : running) {
                try {
                    path.path().close();
                } catch (RuntimeException e) {
                    System.err.println("bench: stopping " + path.path().name() + ": " + e);
                }
            }
            Processes.stop(backendProcess);
        }
        BenchReport.print(results, sizes, quick);
        boolean roamtunFailed = handoverFailed || results.stream().anyMatch(r -> r.path.equals("roamtun") && r.unavailable != null);
        if (roamtunFailed) {
            System.err.println("roamtun-bench: the roamtun row failed; logs in " + work);
            System.exit(1);
        }
        deleteTree(work);
    }

    /** A path that started, with the address the load generator uses and the figures it collects. */
    private record Running(BenchPath path, InetSocketAddress address, Result result) {
        /** Records the failure and stops the path, so it cannot load the machine while others are measured. */
        void failed(Exception e) {
            result.unavailable = "failed: " + e;
            System.err.println("bench: " + path.name() + " failed: " + e);
            path.close(); // closing again at the end is harmless
        }
    }

    /**
     * Starts a path and warms it up: every path moves three times the measured size first, one stream then
     * eight, so a JVM's JIT is done with the hot path before the first measured round (roamtun's agents
     * spend 20-50% more CPU per byte in their first 2 GiB); null when it is not installed or fails.
     */
    private static Running start(BenchPath path, InetSocketAddress backend, Result r, long bulkBytes) {
        r.unavailable = path.unavailableReason();
        if (r.unavailable != null) {
            System.err.println("bench: " + path.name() + ": skipped, " + r.unavailable);
            return null;
        }
        System.err.println("bench: starting " + path.name() + " ...");
        try {
            Running running = new Running(path, path.start(backend), r);
            LoadGenerator.throughput(running.address(), 2 * bulkBytes, 1);
            LoadGenerator.throughput(running.address(), bulkBytes, 8);
            LoadGenerator.pingPong(running.address(), 2_000);
            LoadGenerator.connectionRate(running.address(), 100);
            LoadGenerator.pipelined(running.address(), Sizes.PIPELINED_CLIENTS, Sizes.PIPELINE_DEPTH, 1_000);
            return running;
        } catch (Exception e) {
            r.unavailable = "failed: " + e;
            System.err.println("bench: " + path.name() + " failed: " + e);
            path.close();
            return null;
        }
    }

    /**
     * Bulk throughput, the paths taking turns run by run: on a shared machine the speed drifts over
     * minutes, and measuring one path after another would hand the drift to whichever came last.
     * Also the CPU time the path's own processes spend per GiB moved, which drifts less.
     */
    private static void measureThroughput(List<Running> running, Sizes sizes) {
        for (int run = 0; run < sizes.throughputRuns(); run++) {
            System.err.println("bench: throughput, round " + (run + 1) + " of " + sizes.throughputRuns() + " ...");
            for (Running path : running) {
                if (path.result().unavailable != null) {
                    continue;
                }
                try {
                    Result r = path.result();
                    long cpuBefore = cpuNanos(path.path());
                    r.oneStream.add(LoadGenerator.throughput(path.address(), sizes.bulkBytes(), 1));
                    long cpuBetween = cpuNanos(path.path());
                    r.eightStreams.add(LoadGenerator.throughput(path.address(), sizes.bulkBytes(), 8));
                    long cpuAfter = cpuNanos(path.path());
                    if (!path.path().pids().isEmpty() && path.path().cpuMeasurable() && cpuBefore >= 0 && cpuBetween >= 0 && cpuAfter >= 0) {
                        double gib = sizes.bulkBytes() / (double) (1L << 30);
                        r.cpuMsPerGiB.add((cpuBetween - cpuBefore) / 1e6 / gib);
                        r.cpuMsPerGiBEight.add((cpuAfter - cpuBetween) / 1e6 / gib);
                    }
                } catch (Exception e) {
                    path.failed(e);
                }
            }
        }
    }

    /** CPU time of all of a path's processes; -1 when one cannot be read. */
    private static long cpuNanos(BenchPath path) {
        return sumOverProcesses(path, Processes::treeCpuNanos);
    }

    /** One reading of each of a path's processes, added up; -1 when one of them cannot be read. */
    private static long sumOverProcesses(BenchPath path, java.util.function.LongUnaryOperator reading) {
        long total = 0;
        for (long pid : path.pids()) {
            long value = reading.applyAsLong(pid);
            if (value < 0) {
                return -1;
            }
            total += value;
        }
        return total;
    }

    /** Latency, connection rate, memory, TLS sessions and handovers: one path at a time. */
    private static void measureTheRest(Running running, Sizes sizes, Path work) {
        BenchPath path = running.path();
        Result r = running.result();
        if (r.unavailable != null) {
            return;
        }
        System.err.println("bench: " + path.name() + " ...");
        InetSocketAddress address = running.address();
        try {
            for (int run = 0; run < sizes.runs(); run++) {
                long[] rtt = LoadGenerator.pingPong(address, sizes.pingPongs());
                r.p50.add(percentile(rtt, 0.50) / 1e3);
                r.p99.add(percentile(rtt, 0.99) / 1e3);
                r.p999.add(percentile(rtt, 0.999) / 1e3);
                r.connectionsPerSecond.add(LoadGenerator.connectionRate(address, sizes.connections()));
                r.pipelinedPerSecond.add(LoadGenerator.pipelined(address, Sizes.PIPELINED_CLIENTS, Sizes.PIPELINE_DEPTH,
                        sizes.pipelinedPerClient()));
                measureIdle(path, address, sizes.idle(), r);
                if (path.udpAddress() != null) {
                    long[] udpRtt = LoadGenerator.udpRoundTrips(path.udpAddress(), sizes.pingPongs());
                    r.udpP50.add(percentile(udpRtt, 0.50) / 1e3);
                    r.udpP99.add(percentile(udpRtt, 0.99) / 1e3);
                    r.udpPerSecond.add(LoadGenerator.udpRate(path.udpAddress(), UDP_SOURCES, UDP_DEPTH, quickOr(sizes, 1, 3)));
                }
            }
            if (path.javaHeap()) {
                measureManyStreams(path, address, sizes, r);
            }
            if (path instanceof Paths.Roamtun roamtun && roamtun.fingerprint != null) {
                TlsHandshakeLoad.run(roamtun.serverAddress(), roamtun.fingerprint, 3); // warm-up: both JITs take a few thousand
                for (int run = 0; run < sizes.runs(); run++) {
                    tlsHandshakeRate(roamtun, sizes.bulkBytes() < 1L << 30 ? 2 : 5, r);
                }
                for (int run = 0; run < sizes.runs(); run++) {
                    r.tlsCryptoMsPerGiB.add(TlsCryptoCost.msPerGiB(roamtun.serverKey, roamtun.fingerprint, sizes.bulkBytes()));
                    r.tlsCryptoJdkMsPerGiB.add(TlsCryptoCost.msPerGiB(io.roamtun.engine.tls.TlsProviders.Mode.JDK,
                            "TLS_AES_128_GCM_SHA256", roamtun.serverKey, roamtun.fingerprint, sizes.bulkBytes()));
                }
            }
            if (path.name().equals("roamtun")) {
                int clients = sizes.manyClients();
                int streams = ManyClientsBench.streamsThatFit(clients, MANY_CLIENT_STREAMS);
                System.err.println("bench: one server-service, " + clients + " clients × " + streams + " streams ...");
                try {
                    r.manyClients = ManyClientsBench.measure(work, clients, streams);
                } catch (Exception e) {
                    r.manyClientsFailure = "FAILED: " + e.getMessage();
                    System.err.println("bench: many clients: " + e);
                }
                System.err.println("bench: roamtun handovers ...");
                try {
                    r.handovers.putAll(HandoverBench.measureModes(Integer.getInteger("roamtun.bench.handovers", sizes.handovers())));
                } catch (Exception e) {
                    r.handoverFailure = "FAILED: " + e.getMessage();
                    handoverFailed = true;
                }
                System.err.println("bench: roamtun aggregate download over two paced paths ...");
                try {
                    r.aggregate = AggregateBench.measure(sizes.bulkBytes() < 1L << 30 ? 16L << 20 : 64L << 20);
                } catch (Exception e) {
                    r.aggregate = "FAILED: " + e.getMessage();
                    handoverFailed = true;
                }
            }
        } catch (Exception e) {
            running.failed(e);
        }
    }

    enum HandoverKind { PLANNED, SUDDEN, SILENT }

    static final int MANY_CLIENT_STREAMS = 40;
    static final int UDP_SOURCES = 4;
    static final int UDP_DEPTH = 16;

    private static double quickOr(Sizes sizes, double quick, double full) {
        return sizes.bulkBytes() < 1L << 30 ? quick : full;
    }

    private static void measureIdle(BenchPath path, InetSocketAddress address, int count, Result r) throws Exception {
        if (path.pids().isEmpty()) {
            return;
        }
        long heapBefore = path.javaHeap() ? heap(path) : 0;
        List<Socket> idle = LoadGenerator.holdOpen(address, count);
        try {
            Thread.sleep(200);
            r.idleRssMiB.add(rss(path) / 1048576.0);
            if (path.javaHeap()) {
                long heapAfter = heap(path);
                r.idleHeapMiB.add(heapAfter / 1048576.0);
                r.idleHeapKiBPerConnection.add(Math.max(0, heapAfter - heapBefore) / 1024.0 / count);
            }
        } finally {
            LoadGenerator.closeAll(idle);
        }
        Thread.sleep(200);
    }

    private static void measureManyStreams(BenchPath path, InetSocketAddress address, Sizes sizes, Result r) throws Exception {
        int held = Integer.MAX_VALUE;
        String failure = null;
        for (int run = 0; run < sizes.runs(); run++) {
            List<Socket> open = List.of();
            try {
                open = LoadGenerator.holdOpen(address, sizes.manyStreams());
                Thread.sleep(200);
                r.manyStreamsRssMiB.add(rss(path) / 1048576.0);
                r.manyStreamsHeapMiB.add(heap(path) / 1048576.0);
                held = Math.min(held, open.size());
            } catch (IOException e) {
                failure = e.getMessage();
            } finally {
                LoadGenerator.closeAll(open);
            }
            Thread.sleep(500);
        }
        r.manyStreamsHeld = failure == null ? "yes, " + held : "NO: " + failure;
    }

    /**
     * New TLS sessions per second one server-service completes (full handshakes, {@link TlsHandshakeLoad}),
     * and the server-service's CPU time per handshake over the same interval: on two cores shared with the
     * load generator the rate is a floor, the CPU time says what one core of the server can do.
     */
    private static void tlsHandshakeRate(Paths.Roamtun roamtun, double seconds, Result r) throws Exception {
        long serverPid = roamtun.serverPid();
        long cpuBefore = Processes.cpuNanos(serverPid);
        TlsHandshakeLoad.Result load = TlsHandshakeLoad.run(roamtun.serverAddress(), roamtun.fingerprint, seconds);
        long cpu = Processes.cpuNanos(serverPid) - cpuBefore;
        if (load.failures() > 0) {
            System.err.println("bench: " + load.failures() + " TLS handshakes failed (of " + (load.handshakes() + load.failures()) + ")");
        }
        r.tlsHandshakesPerSecond.add(load.perSecond());
        if (cpuBefore >= 0 && load.handshakes() > 0) {
            r.tlsServerMicrosPerHandshake.add(cpu / 1e3 / load.handshakes());
        }
    }

    private static long rss(BenchPath path) {
        return sumOverProcesses(path, Processes::treeRss);
    }

    private static long heap(BenchPath path) {
        return sumOverProcesses(path, Processes::heapUsedAfterGc);
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    // ---- the table -----------------------------------------------------------------------------

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
