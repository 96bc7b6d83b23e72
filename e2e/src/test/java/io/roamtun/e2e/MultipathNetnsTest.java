package io.roamtun.e2e;

import static io.roamtun.e2e.NetnsHandoverTest.awaitLog;
import static io.roamtun.e2e.NetnsHandoverTest.java;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both paths at once, in the namespace lab ({@link NetnsLab}: a mobile host with wlan0 and wwan0, a router, a
 * server): a warm standby link taken over at once on a sudden loss and on a silent death, redundant sending that
 * hides both from an interactive app, and one download striped over two shaped paths. An app's pause is the
 * longest round trip of a 64-byte ping-pong that never stops ({@link MultipathHelpers.PingPong}).
 */
class MultipathNetnsTest {
    private static final Pattern GAP = Pattern.compile("gap (\\d+) (\\d+)");

    /** The lab with a server-service (echo and a web server behind it) and one client-service with {@code clientFlags}. */
    private static final class Rig implements AutoCloseable {
        final NetnsLab lab;
        final Path dir;
        final Path clientLog;
        final String expectedSha;
        private int clients;

        Rig(Path dir, int fileMiB) throws Exception {
            NetnsHandoverTest.requireRootAndTools();
            ExternalTools.require("tc");
            this.dir = dir;
            Path www = Files.createDirectories(dir.resolve("www"));
            byte[] file = new byte[fileMiB << 20];
            new Random(5).nextBytes(file);
            Files.write(www.resolve("big.bin"), file);
            expectedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
            lab = new NetnsLab();
            try {
                lab.start(lab.server, dir.resolve("http.log"), List.of("python3", "-m", "http.server", "8000", "--bind", "127.0.0.1",
                        "--directory", www.toString()));
                lab.start(lab.server, dir.resolve("echo.log"), java(NetnsHelpers.Echo.class.getName(), "8001"));
                lab.start(lab.server, dir.resolve("server-service.log"), java("io.roamtun.server.ServerServiceMain",
                        "--insecure-plaintext", "--listen", NetnsLab.SERVER_ADDRESS + ":7000", "--service", "web=127.0.0.1:8000",
                        "--service", "echo=127.0.0.1:8001", "--dead-after", "1s"));
                awaitLog(dir.resolve("echo.log"), "listening", 30);
                awaitLog(dir.resolve("server-service.log"), "listening on", 30);
            } catch (Exception | Error e) {
                lab.close();
                throw e;
            }
            clientLog = dir.resolve("client-service-1.log");
        }

        /** Starts a client-service (web on 127.0.0.1:8080+n, echo on 9000+n) with {@code flags}; returns its log. */
        Path client(String... flags) throws Exception {
            int n = clients++;
            List<String> args = new ArrayList<>(List.of("--insecure-plaintext", "--server", NetnsLab.SERVER_ADDRESS + ":7000",
                    "--forward", "127.0.0.1:" + (8080 + n) + "=web", "--forward", "127.0.0.1:" + (9000 + n) + "=echo",
                    "--dead-after", "1s", "--admin-socket", dir.resolve("admin-" + n + ".sock").toString()));
            args.addAll(List.of(flags));
            Path log = dir.resolve("client-service-" + (n + 1) + ".log");
            Process p = lab.start(lab.mobile, log, java("io.roamtun.client.ClientServiceMain", args.toArray(String[]::new)));
            awaitLog(log, "session \\w+ established via", 30);
            clientProcesses.add(p);
            return log;
        }

        final List<Process> clientProcesses = new ArrayList<>();

        /** Starts the ping-pong app through the client's echo forward; returns its log once it is answered. */
        Path pingPong(int port) throws Exception {
            Path log = dir.resolve("pingpong-" + port + ".log");
            lab.start(lab.mobile, log, java(MultipathHelpers.PingPong.class.getName(), String.valueOf(port)));
            awaitLog(log, "ready", 30);
            return log;
        }

        /** Downloads the file through the client's web forward; returns the seconds it took, after checking every byte. */
        double download(int port) throws Exception {
            Path out = dir.resolve("download-" + port + ".bin");
            String timing = NetnsLab.run("ip", "netns", "exec", lab.mobile, "curl", "-sS", "--max-time", "120", "-o", out.toString(),
                    "-w", "%{time_total}", "http://127.0.0.1:" + port + "/big.bin").trim();
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out)));
            assertEquals(expectedSha, sha, "the download arrived whole and in order");
            return Double.parseDouble(timing);
        }

        /** Drops everything {@code dev} sends and receives from one moment on: both ways in one nftables transaction. */
        void dropSilently(String dev) throws Exception {
            Path rules = dir.resolve("drop-" + dev + ".nft");
            Files.writeString(rules, "table inet mp {\n"
                    + "  chain out { type filter hook output priority 0; oifname \"" + dev + "\" drop; }\n"
                    + "  chain in { type filter hook input priority 0; iifname \"" + dev + "\" drop; }\n}\n");
            lab.inMobile("nft", "-f", rules.toString());
        }

        void stopDropping() throws Exception {
            lab.inMobile("nft", "delete", "table", "inet", "mp");
        }

        /** Bytes the mobile host received on {@code dev} so far (the kernel's count). */
        long receivedOn(String dev) throws Exception {
            Matcher m = Pattern.compile("\"rx\":\\{\"bytes\":(\\d+)").matcher(
                    NetnsLab.run("ip", "-n", lab.mobile, "-s", "-j", "link", "show", dev));
            assertTrue(m.find(), "rx bytes of " + dev);
            return Long.parseLong(m.group(1));
        }

        @Override
        public void close() {
            lab.close();
        }
    }

    /** Waits until the first client's status shows its second link through {@code dev}. */
    private static void awaitSecondLink(Path dir, String dev) throws Exception {
        Path socket = dir.resolve("admin-0.sock");
        Await.until(Duration.ofSeconds(30), () -> NetnsHandoverTest.admin(socket, "status").matches("(?s).*second link: " + dev + " \\S+\\n.*"),
                () -> "no second link via " + dev + ":\n" + NetnsHandoverTest.admin(socket, "status"));
    }

    private static int count(Path log, String text) throws java.io.IOException {
        return Files.readString(log).split(Pattern.quote(text), -1).length - 1;
    }

    /** The longest round trip the ping-pong app logged that started at or after {@code fromEpochMs}. */
    private static long worstGapSince(Path pingPongLog, long fromEpochMs) throws Exception {
        String log = Files.readString(pingPongLog);
        assertTrue(!log.contains("FAILED"), "the ping-pong app broke:\n" + log);
        long worst = 0;
        Matcher m = GAP.matcher(log);
        while (m.find()) {
            if (Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)) >= fromEpochMs) {
                worst = Math.max(worst, Long.parseLong(m.group(2)));
            }
        }
        return worst;
    }

    @Test
    @Timeout(300)
    void aStandbyLinkTakesOverAtOnceOnASuddenLossAndOnASilentDeath(@TempDir Path dir) throws Exception {
        try (Rig rig = new Rig(dir, 1)) {
            Path client = rig.client("--multipath", "standby", "--prefer", "wlan0,wwan0", "--poll-interval", "200ms");
            awaitLog(client, "second link via wwan0 \\S+ ready \\(standby", 30);
            Path app = rig.pingPong(9000);
            Path socket = dir.resolve("admin-0.sock");
            Await.until(Duration.ofSeconds(10), () -> {
                String status = NetnsHandoverTest.admin(socket, "status");
                return status.matches("(?s).*primary wlan0 \\S+: all, rtt [0-9.]+ ms, .*/s, loss [0-9.]+%, \\d+ bytes sent.*")
                        && status.matches("(?s).*secondary wwan0 \\S+: none, rtt [0-9.]+ ms, .*");
            }, () -> "status shows each link's role, round trip, rate, loss:\n" + NetnsHandoverTest.admin(socket, "status"));
            Thread.sleep(500); // (a stretch of quiet ping-pong before the fault: the baseline the pause is measured against)

            long suddenAt = System.currentTimeMillis();
            rig.lab.ip("-n", rig.lab.mobile, "link", "set", "wlan0", "down");
            awaitLog(client, "handover wlan0 \\S+ -> wwan0 \\S+, cause: interface wlan0 lost .* to the second link", 10);
            Thread.sleep(300);
            long sudden = worstGapSince(app, suddenAt);
            assertTrue(sudden <= 200 + 20, "sudden loss: the app paused " + sudden + " ms, more than the poll interval + 20 ms;"
                    + " interface down from " + suddenAt + "\nclient:\n" + Files.readString(client) + "\napp:\n" + Files.readString(app));

            rig.lab.restoreWlan(); // back to wlan0 (preferred), wwan0 the standby again
            awaitLog(client, "handover wwan0 \\S+ -> wlan0 \\S+, cause: better interface wlan0 available, to the second link", 30);
            awaitSecondLink(dir, "wwan0");
            Thread.sleep(500);

            long silentAt = System.currentTimeMillis();
            rig.dropSilently("wlan0");
            awaitLog(client, "cause: link quiet for \\d+ ms, to the second link", 10);
            Thread.sleep(300);
            long silent = worstGapSince(app, silentAt);
            rig.stopDropping();
            assertTrue(silent <= 500 + 20, "silent death: the app paused " + silent + " ms, more than half of --dead-after + 20 ms;"
                    + " black hole from " + silentAt + "\nclient:\n" + Files.readString(client) + "\napp:\n" + Files.readString(app));
            assertTrue(silent >= 400, "the black hole was noticed by the quiet link, not by chance: " + silent + " ms");
            System.out.printf("standby: sudden loss paused the app %d ms (poll 200 ms), silent death %d ms (dead-after 1 s)%n", sudden, silent);
        }
    }

    @Test
    @Timeout(300)
    void redundantSendingHidesABlackHoleAndALostInterfaceAndKeepsBulkUnderItsLimit(@TempDir Path dir) throws Exception {
        try (Rig rig = new Rig(dir, 16)) {
            Path client = rig.client("--multipath", "redundant", "--redundant-max", "256KiB", "--prefer", "wlan0,wwan0",
                    "--poll-interval", "200ms");
            awaitLog(client, "second link via wwan0 \\S+ ready \\(redundant", 30);

            // Bulk: a 16 MiB download, of which the second path carries copies up to 256 KiB a second only.
            long wwanBefore = rig.receivedOn("wwan0");
            long wlanBefore = rig.receivedOn("wlan0");
            double seconds = rig.download(8080);
            long wwan = rig.receivedOn("wwan0") - wwanBefore;
            long wlan = rig.receivedOn("wlan0") - wlanBefore;
            long allowed = (long) ((256 * 1024) * (seconds + 0.25) * 1.25) + (128 << 10); // (+ headers, PINGs, ACKs)
            System.out.printf("redundant: a 16 MiB download took %.2f s, %d bytes via wlan0, %d via wwan0 (allowed %d)%n",
                    seconds, wlan, wwan, allowed);
            assertTrue(wlan > 16 << 20, "the download came over wlan0: " + wlan);
            assertTrue(wwan <= allowed, "the second path carried " + wwan + " bytes, over the redundancy limit (" + allowed + ")");

            Path app = rig.pingPong(9000);
            Thread.sleep(500);
            long silentAt = System.currentTimeMillis();
            rig.dropSilently("wlan0");
            awaitLog(client, "cause: link quiet for \\d+ ms, to the second link", 10); // (proof the black hole happened and was noticed)
            Thread.sleep(300);
            long silent = worstGapSince(app, silentAt);
            rig.stopDropping();
            assertTrue(silent < 50, "black hole: the app paused " + silent + " ms with copies on the second path");

            // wlan0 comes back (its address renewed): the session returns to it, wwan0 carrying copies again.
            int changes = count(client, "interface table changed");
            rig.lab.ip("-n", rig.lab.mobile, "addr", "del", NetnsLab.WLAN_ADDRESS + "/24", "dev", "wlan0");
            Await.until(Duration.ofSeconds(10), () -> count(client, "interface table changed") > changes, () -> "the address loss went unseen");
            rig.lab.restoreWlan();
            awaitLog(client, "handover wwan0 \\S+ -> wlan0 \\S+, cause: better interface wlan0 available, to the second link", 30);
            awaitSecondLink(dir, "wwan0");
            Thread.sleep(500);
            long downAt = System.currentTimeMillis();
            rig.lab.ip("-n", rig.lab.mobile, "link", "set", "wlan0", "down");
            awaitLog(client, "handover wlan0 \\S+ -> wwan0 \\S+, cause: interface wlan0 lost .* to the second link", 10);
            Thread.sleep(300);
            long down = worstGapSince(app, downAt);
            assertTrue(down < 50, "interface down: the app paused " + down + " ms with copies on the second path");
            System.out.printf("redundant: the app's worst pause was %d ms through a black hole, %d ms through an interface going down%n",
                    silent, down);
        }
    }

    @Test
    @Timeout(300)
    void aggregateStripesOneDownloadOverTwoShapedPathsFasterThanTheFasterAlone(@TempDir Path dir) throws Exception {
        try (Rig rig = new Rig(dir, 48)) {
            // Wi-Fi 40 Mbit/s and LTE 20 Mbit/s towards the mobile host (the router's side of each link).
            NetnsLab.run("ip", "netns", "exec", rig.lab.router, "tc", "qdisc", "add", "dev", "r-wlan", "root", "tbf",
                    "rate", "40mbit", "burst", "64kb", "latency", "40ms");
            NetnsLab.run("ip", "netns", "exec", rig.lab.router, "tc", "qdisc", "add", "dev", "r-wwan", "root", "tbf",
                    "rate", "20mbit", "burst", "64kb", "latency", "40ms");
            rig.client("--multipath", "off", "--prefer", "wlan0", "--exclude", "wwan0");
            double aloneSeconds = rig.download(8080);
            rig.clientProcesses.get(0).destroy();
            Path both = rig.client("--multipath", "aggregate", "--prefer", "wlan0,wwan0");
            awaitLog(both, "second link via wwan0 \\S+ ready \\(aggregate", 30);
            double bothSeconds = rig.download(8081);
            long wwan = rig.receivedOn("wwan0");
            double speedup = aloneSeconds / bothSeconds;
            System.out.printf("aggregate: 48 MiB in %.2f s over wlan0 alone (40 Mbit/s), %.2f s over both (+20 Mbit/s): %.2fx%n",
                    aloneSeconds, bothSeconds, speedup);
            assertTrue(wwan > 8 << 20, "the second path carried a share of the download: " + wwan + " bytes");
            assertTrue(speedup >= 1.3, "aggregate is " + speedup + "x the faster path alone (" + aloneSeconds + " s vs " + bothSeconds
                    + " s); want 1.3x");
        }
    }
}
