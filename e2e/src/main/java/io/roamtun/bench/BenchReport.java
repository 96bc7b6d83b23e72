package io.roamtun.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import io.roamtun.bench.BenchMain.Result;
import io.roamtun.bench.BenchMain.Sizes;

/** The benchmark's table: one column per path, ratios against the peers measured in the same run. */
final class BenchReport {
    private BenchReport() {}

    static void print(List<Result> results, Sizes sizes, boolean quick) throws IOException {
        Result direct = find(results, "direct");
        Result socat = find(results, "socat");
        Result ssh = find(results, "ssh -L");
        Result sshGcm = find(results, "ssh -L aes128-gcm");
        Map<String, Function<Result, String>> rows = new LinkedHashMap<>();
        String bulk = sizes.bulkBytes() >= 1L << 30 ? (sizes.bulkBytes() >> 30) + " GiB" : (sizes.bulkBytes() >> 20) + " MiB";
        rows.put("1 stream, MB/s (" + bulk + ")", r -> r.oneStream.format(0));
        rows.put("  × direct", r -> ratio(r.oneStream, direct == null ? null : direct.oneStream));
        rows.put("  × socat", r -> ratio(r.oneStream, socat == null ? null : socat.oneStream));
        rows.put("  × ssh -L", r -> ratio(r.oneStream, ssh == null ? null : ssh.oneStream));
        rows.put("  × ssh -L aes128-gcm", r -> ratio(r.oneStream, sshGcm == null ? null : sshGcm.oneStream));
        rows.put("  CPU ms per GiB (relay/agents)", r -> r.cpuMsPerGiB.format(0));
        Result plain = find(results, "roamtun");
        rows.put("  TLS path minus plaintext roamtun, CPU ms/GiB", r -> overPlain(r, plain, x -> x.cpuMsPerGiB));
        rows.put("  TLS alone, in memory, Conscrypt, CPU ms/GiB", r -> r.tlsCryptoMsPerGiB.format(0));
        rows.put("  TLS alone, in memory, JDK, CPU ms/GiB", r -> r.tlsCryptoJdkMsPerGiB.format(0));
        rows.put("8 streams, MB/s total", r -> r.eightStreams.format(0));
        rows.put("  × direct ", r -> ratio(r.eightStreams, direct == null ? null : direct.eightStreams));
        rows.put("  × socat ", r -> ratio(r.eightStreams, socat == null ? null : socat.eightStreams));
        rows.put("  × ssh -L ", r -> ratio(r.eightStreams, ssh == null ? null : ssh.eightStreams));
        rows.put("  × ssh -L aes128-gcm ", r -> ratio(r.eightStreams, sshGcm == null ? null : sshGcm.eightStreams));
        rows.put("  CPU ms per GiB (relay/agents) ", r -> r.cpuMsPerGiBEight.format(0));
        rows.put("  TLS path minus plaintext roamtun, CPU ms/GiB ", r -> overPlain(r, plain, x -> x.cpuMsPerGiBEight));
        rows.put("64 B ping-pong p50, µs", r -> r.p50.format(1));
        rows.put("  p99, µs", r -> r.p99.format(1));
        rows.put("  p99.9, µs", r -> r.p999.format(1));
        rows.put("  p50 added to direct, µs", r -> direct == null || r.p50.isEmpty() || direct.p50.isEmpty() ? "-"
                : String.format(Locale.ROOT, "%.1f", r.p50.median() - direct.p50.median()));
        rows.put("UDP 64 B round trip p50, µs", r -> r.udpP50.format(1));
        rows.put("  p99, µs ", r -> r.udpP99.format(1));
        rows.put("UDP " + BenchMain.UDP_SOURCES + " sources × " + BenchMain.UDP_DEPTH + " in flight, datagrams/s",
                r -> r.udpPerSecond.format(0));
        rows.put("  × direct  ", r -> ratio(r.udpPerSecond, direct == null ? null : direct.udpPerSecond));
        rows.put("  × socat    ", r -> ratio(r.udpPerSecond, socat == null ? null : socat.udpPerSecond));
        rows.put("connect+exchange+close, conn/s", r -> r.connectionsPerSecond.format(0));
        rows.put("  × socat  ", r -> ratio(r.connectionsPerSecond, socat == null ? null : socat.connectionsPerSecond));
        rows.put("  × ssh -L  ", r -> ratio(r.connectionsPerSecond, ssh == null ? null : ssh.connectionsPerSecond));
        rows.put(Sizes.PIPELINED_CLIENTS + " clients × " + Sizes.PIPELINE_DEPTH + " in flight, 64 B req/s",
                r -> r.pipelinedPerSecond.format(0));
        rows.put("  × socat   ", r -> ratio(r.pipelinedPerSecond, socat == null ? null : socat.pipelinedPerSecond));
        rows.put("  × ssh -L   ", r -> ratio(r.pipelinedPerSecond, ssh == null ? null : ssh.pipelinedPerSecond));
        rows.put(sizes.idle() + " idle conns: RSS MiB (relay/agents)", r -> r.idleRssMiB.format(1));
        rows.put("  heap used MiB (after GC)", r -> r.idleHeapMiB.format(1));
        rows.put("  heap KiB per idle conn", r -> r.idleHeapKiBPerConnection.format(1));
        rows.put(sizes.manyStreams() + " concurrent streams held", r -> r.manyStreamsHeld);
        rows.put("  RSS MiB (both agents)", r -> r.manyStreamsRssMiB.format(0));
        rows.put("  heap used MiB (after GC) ", r -> r.manyStreamsHeapMiB.format(0));
        String many = plain != null && plain.manyClients != null
                ? plain.manyClients.clients() + " clients × " + plain.manyClients.streams() : sizes.manyClients() + " clients";
        rows.put(many + " streams, one server: all open",
                r -> r.manyClients != null ? r.manyClients.describe() : r.manyClientsFailure != null ? r.manyClientsFailure : "-");
        rows.put("  server RSS MiB / heap MiB (after GC)", r -> r.manyClients == null ? "-"
                : ManyClientsBench.format(r.manyClients.rssMiB()) + " / " + ManyClientsBench.format(r.manyClients.heapMiB()));
        rows.put("  server KiB per client (RSS growth)", r -> r.manyClients == null ? "-" : ManyClientsBench.format(r.manyClients.kibPerClient()));
        rows.put("  server CPU ms per client (session + streams)", r -> r.manyClients == null ? "-"
                : ManyClientsBench.format(r.manyClients.cpuMsPerClient()));
        rows.put("new TLS sessions/s, one server-service", r -> r.tlsHandshakesPerSecond.format(0));
        rows.put("  server CPU per new TLS session, µs", r -> r.tlsServerMicrosPerHandshake.format(0));
        rows.put("handover pause, median / worst:", r -> "");
        for (String mode : List.of("off", "standby", "redundant", "aggregate")) {
            rows.put("  planned (switch), multipath " + mode, r -> handover(r, mode, BenchMain.HandoverKind.PLANNED));
            rows.put("  sudden (interface gone, poll 500ms), " + mode, r -> handover(r, mode, BenchMain.HandoverKind.SUDDEN));
            rows.put("  silent (dropped, dead-after 3s), " + mode, r -> handover(r, mode, BenchMain.HandoverKind.SILENT));
        }
        rows.put("aggregate download, paths paced 5 + 2.5 MB/s", r -> r.aggregate);

        int labelWidth = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
        List<Integer> widths = new ArrayList<>();
        for (Result r : results) {
            int w = r.path.length();
            if (r.unavailable == null) {
                for (Function<Result, String> cell : rows.values()) {
                    w = Math.max(w, cell.apply(r).length());
                }
            } else {
                w = Math.max(w, 5);
            }
            widths.add(w);
        }
        StringBuilder out = new StringBuilder();
        out.append("roamtun benchmark, ").append(quick ? "--quick" : "full").append(" run, ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))).append('\n');
        out.append("machine: ").append(machine()).append('\n');
        out.append("figures: median (min–max) of ").append(sizes.throughputRuns()).append(" runs for throughput, ")
                .append(sizes.runs()).append(" for the rest; all paths on loopback, same load generator;\n")
                .append("throughput runs take turns across the paths (round 1 of each path, then round 2, ...)\n\n");
        out.append(pad("", labelWidth));
        for (int i = 0; i < results.size(); i++) {
            out.append(" | ").append(pad(results.get(i).path, widths.get(i)));
        }
        out.append('\n').append("-".repeat(labelWidth));
        for (int w : widths) {
            out.append("-+-").append("-".repeat(w));
        }
        out.append('\n');
        for (Map.Entry<String, Function<Result, String>> row : rows.entrySet()) {
            out.append(pad(row.getKey().stripTrailing(), labelWidth));
            for (int i = 0; i < results.size(); i++) {
                Result r = results.get(i);
                out.append(" | ").append(pad(r.unavailable == null ? row.getValue().apply(r) : "n/a", widths.get(i)));
            }
            out.append('\n');
        }
        for (Result r : results) {
            if (r.unavailable != null) {
                out.append("n/a ").append(r.path).append(": ").append(r.unavailable).append('\n');
            }
        }
        System.out.print(out);
        System.out.flush();
    }

    private static String handover(BenchMain.Result r, String mode, BenchMain.HandoverKind kind) {
        if (r.handoverFailure != null) {
            return r.handoverFailure;
        }
        HandoverBench.Figures f = r.handovers.get(mode);
        if (f == null) {
            return "n/a";
        }
        return HandoverBench.Figures.describe(switch (kind) {
            case PLANNED -> f.plannedMs();
            case SUDDEN -> f.suddenMs();
            case SILENT -> f.silentMs();
        });
    }

    private static String ratio(Stat value, Stat base) {
        if (base == null || base.isEmpty() || value.isEmpty() || base.median() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f×", value.median() / base.median());
    }

    /**
     * What the TLS path's agents spend per GiB beyond the plaintext agents' in the same run: set against
     * "TLS alone" it says how much of TLS's cost is not the engines' own work (copies, records, syscalls).
     */
    private static String overPlain(Result r, Result plain, Function<Result, Stat> cpu) {
        if (!r.path.equals("roamtun TLS") || plain == null || cpu.apply(r).isEmpty() || cpu.apply(plain).isEmpty()) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f", cpu.apply(r).median() - cpu.apply(plain).median());
    }

    private static Result find(List<Result> results, String name) {
        return results.stream().filter(r -> r.path.equals(name) && r.unavailable == null).findFirst().orElse(null);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", Java " + System.getProperty("java.version");
    }
}
