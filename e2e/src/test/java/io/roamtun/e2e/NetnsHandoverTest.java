package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.time.Duration;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing, in network namespaces built by the test (see {@link NetnsLab}): the client-service runs
 * on a "mobile" host with wlan0 and wwan0, the server-service and the backends on a "server" host behind a
 * router. While curl downloads from python3's http.server through the tunnel, again and again, and a
 * long-lived stream echoes pseudo-random bytes both ways, the test takes wlan0 down, deletes its address,
 * drops its packets silently with nftables, brings it back each time, and switches by command. Every
 * download must complete with the right checksum and the stream must get every byte back; so must a stream
 * the other way round, from the server's host through a reverse tunnel (--expose) to an app on the mobile.
 */
class NetnsHandoverTest {
    private static final Pattern HANDOVERS = Pattern.compile("handovers \\((\\d+)\\)");

    static void requireRootAndTools() throws Exception {
        String uid = NetnsLab.run("id", "-u").trim();
        if (!uid.equals("0")) {
            if (Boolean.getBoolean("roamtun.requireTools")) {
                throw new AssertionError("the namespace handover test needs root (it is in CI)");
            }
            Assumptions.abort("not root: network namespaces need root; skipping");
        }
        for (String tool : new String[] {"ip", "nft", "curl", "python3"}) {
            ExternalTools.require(tool);
        }
    }

    static List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx256m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    static void awaitLog(Path log, String regex, long seconds) throws Exception {
        Pattern p = Pattern.compile(regex);
        Await.until(Duration.ofSeconds(seconds), () -> Files.exists(log) && p.matcher(Files.readString(log)).find(),
                () -> "no /" + regex + "/ in " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    static String admin(Path socket, String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int handovers(Path socket) throws IOException {
        Matcher m = HANDOVERS.matcher(admin(socket, "status"));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static void awaitHandovers(Path socket, int count, String what) throws Exception {
        Await.until(Duration.ofSeconds(30), () -> handovers(socket) >= count, () -> "no handover after " + what + "; status:\n" + admin(socket, "status"));
    }

    private static void assertOn(Path socket, String interfaceName) throws IOException {
        String status = admin(socket, "status");
        assertTrue(status.contains("uplink: ACTIVE via " + interfaceName), "expected to be on " + interfaceName + ":\n" + status);
    }

    @Test
    @Timeout(400)
    void downloadsAndAStreamSurviveInterfaceDownAddressLossSilentDropAndSwitches(@TempDir Path dir) throws Exception {
        requireRootAndTools();
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] file = new byte[32 << 20];
        new Random(3).nextBytes(file);
        Files.write(www.resolve("big.bin"), file);
        String expectedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
        Path socket = dir.resolve("admin.sock");

        try (NetnsLab lab = new NetnsLab()) {
            lab.start(lab.server, dir.resolve("http.log"), List.of("python3", "-m", "http.server", "8000", "--bind", "127.0.0.1",
                    "--directory", www.toString()));
            lab.start(lab.server, dir.resolve("echo.log"), java(NetnsHelpers.Echo.class.getName(), "8001"));
            lab.start(lab.server, dir.resolve("server-service.log"), java("io.roamtun.server.ServerServiceMain",
                    "--insecure-plaintext", "--listen", NetnsLab.SERVER_ADDRESS + ":7000", "--service", "web=127.0.0.1:8000",
                    "--service", "echo=127.0.0.1:8001", "--allow-expose", "9100,9300", "--udp-service", "uecho=127.0.0.1:8002",
                    "--dead-after", "1500ms"));
            lab.start(lab.server, dir.resolve("udp-echo.log"), java(NetnsHelpers.UdpEcho.class.getName(), "8002"));
            lab.start(lab.mobile, dir.resolve("client-echo.log"), java(NetnsHelpers.Echo.class.getName(), "8101"));
            lab.start(lab.mobile, dir.resolve("client-udp-echo.log"), java(NetnsHelpers.UdpEcho.class.getName(), "8103"));
            awaitLog(dir.resolve("client-echo.log"), "listening", 30);
            awaitLog(dir.resolve("echo.log"), "listening", 30);
            awaitLog(dir.resolve("server-service.log"), "listening on", 30);
            lab.start(lab.mobile, dir.resolve("client-service.log"), java("io.roamtun.client.ClientServiceMain",
                    "--insecure-plaintext", "--server", NetnsLab.SERVER_ADDRESS + ":7000", "--forward", "127.0.0.1:8080=web",
                    "--forward", "127.0.0.1:9000=echo", "--expose", "9100=8101", "--expose-udp", "9300=8103", "--forward-udp", "127.0.0.1:9200=uecho", "--prefer", "wlan0,wwan0", "--poll-interval", "250ms",
                    "--dead-after", "1500ms", "--admin-socket", socket.toString()));
            awaitLog(dir.resolve("client-service.log"), "session \\w+ established via wlan0", 30);
            assertOn(socket, "wlan0");
            awaitLog(dir.resolve("client-service.log"), "--expose 9100: the server listens on 127.0.0.1:9100", 30);

            // A long-lived stream both ways, ~2 MB/s for about a minute, checked byte for byte at the end.
            Process stream = lab.start(lab.mobile, dir.resolve("stream.log"),
                    java(NetnsHelpers.StreamCheck.class.getName(), "9000", String.valueOf(120L << 20), String.valueOf(2L << 20)));
            // And one the other way round: a backend-side app through the reverse tunnel to an app on the mobile host.
            Process reverse = lab.start(lab.server, dir.resolve("reverse-stream.log"),
                    java(NetnsHelpers.StreamCheck.class.getName(), "9100", String.valueOf(60L << 20), String.valueOf(1L << 20)));
            // And UDP: a datagram every 20 ms through --forward-udp, answered by a UDP echo beside the server.
            Path probeStop = dir.resolve("udp-probe.stop");
            Process udpProbe = lab.start(lab.mobile, dir.resolve("udp-probe.log"),
                    java(NetnsHelpers.UdpProbe.class.getName(), "9200", probeStop.toString()));
            // And reverse UDP: from the server's host through --expose-udp to a UDP echo on the mobile host.
            awaitLog(dir.resolve("client-service.log"), "--expose-udp 9300: the server listens on udp 127.0.0.1:9300", 30);
            Process reverseUdpProbe = lab.start(lab.server, dir.resolve("reverse-udp-probe.log"),
                    java(NetnsHelpers.UdpProbe.class.getName(), "9300", probeStop.toString()));
            // Downloads, one after another, until the faults are over.
            AtomicBoolean faultsDone = new AtomicBoolean();
            List<String> downloadResults = new CopyOnWriteArrayList<>();
            Thread downloads = new Thread(() -> {
                int i = 0;
                while (!faultsDone.get() || i < 2) {
                    Path out = dir.resolve("download-" + i + ".bin");
                    try {
                        Process curl = new ProcessBuilder("ip", "netns", "exec", lab.mobile, "curl", "--silent", "--show-error",
                                "--fail", "--limit-rate", "12M", "--max-time", "120", "-o", out.toString(),
                                "http://127.0.0.1:8080/big.bin").redirectErrorStream(true).start();
                        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        int exit = curl.waitFor();
                        String sha = Files.exists(out)
                                ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out))) : "none";
                        downloadResults.add(exit == 0 && sha.equals(expectedSha) ? "ok" : "download " + i + " failed: exit " + exit
                                + " " + output.trim() + " sha " + sha);
                        Files.deleteIfExists(out);
                    } catch (Exception e) {
                        downloadResults.add("download " + i + " failed: " + e);
                    }
                    i++;
                }
            }, "downloads");
            downloads.start();
            Thread.sleep(1500);

            int n = handovers(socket);
            // 1. wlan0 goes down (cable pulled): sudden loss, onto wwan0; it comes back: make-before-break home.
            lab.ip("-n", lab.mobile, "link", "set", "wlan0", "down");
            awaitHandovers(socket, ++n, "wlan0 down");
            assertOn(socket, "wwan0");
            Thread.sleep(1000);
            lab.restoreWlan();
            awaitHandovers(socket, ++n, "wlan0 back up");
            assertOn(socket, "wlan0");
            Thread.sleep(1000);

            // 2. wlan0 loses its address (DHCP lease gone), then gets it back.
            lab.ip("-n", lab.mobile, "addr", "del", NetnsLab.WLAN_ADDRESS + "/24", "dev", "wlan0");
            awaitHandovers(socket, ++n, "address deleted");
            assertOn(socket, "wwan0");
            Thread.sleep(1000);
            lab.restoreWlan();
            awaitHandovers(socket, ++n, "address back");
            assertOn(socket, "wlan0");
            Thread.sleep(1000);

            // 3. wlan0 stays up but silently drops everything (dead uplink, captive portal).
            lab.inMobile("nft", "add", "table", "inet", "rtlab");
            lab.inMobile("nft", "add", "chain", "inet", "rtlab", "out", "{", "type", "filter", "hook", "output", "priority", "0", ";", "}");
            lab.inMobile("nft", "add", "chain", "inet", "rtlab", "in", "{", "type", "filter", "hook", "input", "priority", "0", ";", "}");
            lab.inMobile("nft", "add", "rule", "inet", "rtlab", "out", "oifname", "wlan0", "drop");
            lab.inMobile("nft", "add", "rule", "inet", "rtlab", "in", "iifname", "wlan0", "drop");
            awaitHandovers(socket, ++n, "silent drop on wlan0");
            assertOn(socket, "wwan0");
            Thread.sleep(1000);
            lab.inMobile("nft", "delete", "table", "inet", "rtlab");

            // 4. Switches by command, both ways; the command returns once the switch is done.
            for (String target : new String[] {"wlan0", "wwan0", "wlan0"}) {
                try (AgentProcess command = AgentProcess.client("switch", target, "--admin-socket", socket.toString())) {
                    assertEquals(0, command.waitFor(60), command.output());
                }
                awaitHandovers(socket, ++n, "switch to " + target);
                assertOn(socket, target);
                Thread.sleep(700);
            }
            faultsDone.set(true);
            Files.writeString(probeStop, "stop");

            downloads.join(TimeUnit.MINUTES.toMillis(4));
            assertTrue(downloadResults.size() >= 2, "downloads: " + downloadResults);
            for (String result : downloadResults) {
                assertEquals("ok", result, "every download completes with the right checksum");
            }
            assertTrue(stream.waitFor(3, TimeUnit.MINUTES), "stream finished");
            String streamLog = Files.readString(dir.resolve("stream.log"));
            assertEquals(0, stream.exitValue(), streamLog);
            assertTrue(streamLog.startsWith("OK "), streamLog);
            assertTrue(udpProbe.waitFor(1, TimeUnit.MINUTES), "UDP probe finished");
            String probeLog = Files.readString(dir.resolve("udp-probe.log"));
            assertEquals(0, udpProbe.exitValue(), "after the faults the UDP flow answers every datagram again: " + probeLog);
            Matcher probe = Pattern.compile("sent (\\d+) answered (\\d+)").matcher(probeLog);
            assertTrue(probe.find(), probeLog);
            long udpSent = Long.parseLong(probe.group(1));
            long udpLost = udpSent - Long.parseLong(probe.group(2));
            // The documented bound: datagrams are lost only around a handover: those sent while no link carries
            // the session (beyond the 32 held), and those written to a link that went silent before it was
            // declared dead (at most --dead-after). So: one every 20 ms over the handovers' pauses plus one
            // dead-after for the silent drop, plus a few in flight on each link that died.
            long pausesMs = 0;
            Matcher pause = Pattern.compile("\"pause_ms\"\\s*:\\s*(\\d+)").matcher(admin(socket, "status json"));
            while (pause.find()) {
                pausesMs += Long.parseLong(pause.group(1));
            }
            long bound = (pausesMs + 1500) / 20 + 3 * 8;
            assertTrue(udpLost <= bound, "UDP loss " + udpLost + " of " + udpSent + " within the bound " + bound + " (pauses "
                    + pausesMs + " ms): " + probeLog);
            System.out.println("UDP through the handovers: " + probeLog.trim() + "; lost " + udpLost + ", bound " + bound);
            assertTrue(reverseUdpProbe.waitFor(1, TimeUnit.MINUTES), "reverse UDP probe finished");
            String reverseProbeLog = Files.readString(dir.resolve("reverse-udp-probe.log"));
            assertEquals(0, reverseUdpProbe.exitValue(), "reverse UDP answers every datagram after the faults: " + reverseProbeLog);
            Matcher reverseProbe = Pattern.compile("sent (\\d+) answered (\\d+)").matcher(reverseProbeLog);
            assertTrue(reverseProbe.find(), reverseProbeLog);
            long reverseLost = Long.parseLong(reverseProbe.group(1)) - Long.parseLong(reverseProbe.group(2));
            assertTrue(reverseLost <= bound, "reverse UDP loss " + reverseLost + " within the bound " + bound + ": " + reverseProbeLog);
            System.out.println("reverse UDP through the handovers: " + reverseProbeLog.trim() + "; lost " + reverseLost);
            assertTrue(admin(socket, "status").contains("datagrams: "), "the datagrams are counted in status");
            assertTrue(reverse.waitFor(3, TimeUnit.MINUTES), "reverse stream finished");
            String reverseLog = Files.readString(dir.resolve("reverse-stream.log"));
            assertEquals(0, reverse.exitValue(), reverseLog);
            assertTrue(reverseLog.startsWith("OK "), "the reverse stream got every byte back, in order: " + reverseLog);
            String status = admin(socket, "status");
            assertTrue(status.contains("make-before-break"), status);
            System.out.println(status);
            System.out.println(Files.readString(dir.resolve("client-service.log")));
        }
    }
}
