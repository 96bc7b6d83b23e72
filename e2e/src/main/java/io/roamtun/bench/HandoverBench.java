package io.roamtun.bench;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.Forward;
import io.roamtun.client.paths.Multipath;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.e2e.Backends;
import io.roamtun.e2e.FaultProxy;
import io.roamtun.e2e.ScriptedInterfaces;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pause an app sees during handovers: an app does a 64-byte ping-pong every millisecond through a tunnel
 * whose client has two "interfaces" (127.0.0.2 and 127.0.0.3 in a scripted table, agents in this JVM,
 * the default poll interval and dead-after), and the longest gap between two answers around each
 * handover is that handover's pause. Three kinds: planned (switch command, make-before-break), sudden
 * (the interface in use stops carrying packets and disappears from the table, noticed at the next poll)
 * and silent (its packets vanish but the table shows nothing; only the quiet link tells).
 */
final class HandoverBench {
    private HandoverBench() {}

    record Figures(List<Double> plannedMs, List<Double> suddenMs, List<Double> silentMs) {
        static String describe(List<Double> values) {
            if (values.isEmpty()) {
                return "-";
            }
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            return String.format(Locale.ROOT, "%.0f / %.0f ms (n=%d)", median, sorted.get(sorted.size() - 1), sorted.size());
        }
    }

    /** The app: a ping-pong every millisecond, remembering the longest wait for an answer since the last reset. */
    private static final class PingPonger implements AutoCloseable {
        private final Socket socket;
        private final Thread thread;
        private final AtomicLong maxGapNanos = new AtomicLong();
        private volatile boolean running = true;
        private volatile Throwable failure;

        PingPonger(InetSocketAddress address) throws IOException {
            socket = new Socket(address.getAddress(), address.getPort());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            thread = new Thread(this::run, "handover-app");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            byte[] message = new byte[64];
            try {
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                long last = System.nanoTime();
                while (running) {
                    out.write(message);
                    int got = 0;
                    while (got < message.length) {
                        int n = in.read(message, got, message.length - got);
                        if (n < 0) {
                            throw new IOException("the tunnel closed the app's connection");
                        }
                        got += n;
                    }
                    long now = System.nanoTime();
                    maxGapNanos.accumulateAndGet(now - last, Math::max);
                    Thread.sleep(1); // an interactive app, not a flood: ~85 KB/s each way, within a redundancy limit
                    last = System.nanoTime();
                }
            } catch (Throwable t) {
                if (running) {
                    failure = t;
                }
            }
        }

        void resetGap() {
            maxGapNanos.set(0);
        }

        double gapMillis() throws IOException {
            if (failure != null) {
                throw new IOException("the app saw an error during a handover: " + failure);
            }
            return maxGapNanos.get() / 1e6;
        }

        @Override
        public void close() throws IOException {
            running = false;
            socket.close();
        }
    }

    /** Each kind of handover under each --multipath mode that keeps one session on one link at a time or a standby beside it. */
    static Map<String, Figures> measureModes(int switchesPerKind) throws Exception {
        Map<String, Figures> byMode = new java.util.LinkedHashMap<>();
        byMode.put("off", measure(switchesPerKind, Multipath.OFF));
        byMode.put("standby", measure(switchesPerKind, Multipath.DEFAULT));
        byMode.put("redundant", measure(switchesPerKind, new Multipath(io.roamtun.protocol.PathControl.Mode.REDUNDANT,
                Multipath.DEFAULT_REDUNDANT_MAX)));
        byMode.put("aggregate", measure(switchesPerKind, new Multipath(io.roamtun.protocol.PathControl.Mode.AGGREGATE,
                Multipath.DEFAULT_REDUNDANT_MAX)));
        return byMode;
    }

    static Figures measure(int switchesPerKind, Multipath multipath) throws Exception {
        Duration deadAfter = Duration.ofSeconds(3);
        LinkSettings link = LinkSettings.forDeadAfter(deadAfter, Duration.ofSeconds(10));
        ScriptedInterfaces interfaces = new ScriptedInterfaces().put("wifi0", 2, true, "127.0.0.2").put("lte0", 3, true, "127.0.0.3");
        List<Double> planned = new ArrayList<>();
        List<Double> sudden = new ArrayList<>();
        List<Double> silent = new ArrayList<>();
        try (Backends.Server echo = Backends.echo();
             ServerService server = ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     new ServiceDirectory(Map.of("echo", echo.address())), SessionSettings.defaults(), link, Duration.ofMinutes(10)));
             FaultProxy proxy = new FaultProxy(server.address());
             ClientService client = ClientService.start(new ClientConfig(proxy.address(),
                     List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                     SessionSettings.defaults(), link, interfaces, ClientConfig.DEFAULT_POLL_INTERVAL,
                     new PathPolicy(List.of(), List.of(), List.of(), multipath), null))) {
            awaitTrue(client::isConnected, "connected");
            try (PingPonger app = new PingPonger(client.forwardAddresses().get(0))) {
                Thread.sleep(300);
                for (int i = 0; i < switchesPerKind; i++) {
                    String current = client.activeInterface();
                    awaitSecondLink(client, multipath, other(current));
                    app.resetGap();
                    client.switchTo(other(current)).get(30, TimeUnit.SECONDS);
                    Thread.sleep(200);
                    planned.add(app.gapMillis());
                }
                for (int i = 0; i < switchesPerKind; i++) {
                    String current = client.activeInterface();
                    awaitSecondLink(client, multipath, other(current));
                    long before = client.handoverCount();
                    app.resetGap();
                    // The interface is gone: its packets stop at once, the table says so at the next poll.
                    proxy.blackhole(InetAddress.getByName(address(current)));
                    interfaces.remove(current);
                    awaitTrue(() -> client.handoverCount() > before, "handover after " + current + " vanished");
                    proxy.blackhole(null);
                    Thread.sleep(200);
                    sudden.add(app.gapMillis());
                    interfaces.put(current, "wifi0".equals(current) ? 2 : 3, true, address(current));
                    awaitTrue(() -> client.status().contains(current + " up"), current + " back");
                    Thread.sleep(300);
                }
                for (int i = 0; i < switchesPerKind; i++) {
                    String current = client.activeInterface();
                    awaitSecondLink(client, multipath, other(current));
                    long before = client.handoverCount();
                    app.resetGap();
                    proxy.blackhole(InetAddress.getByName(address(current)));
                    awaitTrue(() -> client.handoverCount() > before, "handover after " + current + " went silent");
                    proxy.blackhole(null);
                    Thread.sleep(200);
                    silent.add(app.gapMillis());
                    // The silent interface is set aside after its failure; a change in the table (it comes back) clears that.
                    interfaces.remove(current);
                    awaitTrue(() -> !client.status().contains(current + " up"), current + " gone");
                    interfaces.put(current, "wifi0".equals(current) ? 2 : 3, true, address(current));
                    awaitTrue(() -> client.status().contains(current + " up"), current + " back");
                }
            }
        }
        return new Figures(planned, sudden, silent);
    }

    /** With a multipath mode, waits until the second link through {@code via} is joined, so each handover can use it. */
    private static void awaitSecondLink(ClientService client, Multipath multipath, String via) throws Exception {
        if (multipath.mode() != null) {
            // Joined, not still joining ("second link: lte0 (127.0.0.3) joining"): each fault must find it ready.
            awaitTrue(() -> client.status().contains("second link: " + via + " (" + address(via) + ")\n"), "the second link via " + via);
        }
    }

    private static String other(String name) {
        return "wifi0".equals(name) ? "lte0" : "wifi0";
    }

    private static String address(String name) {
        return "wifi0".equals(name) ? "127.0.0.2" : "127.0.0.3";
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
