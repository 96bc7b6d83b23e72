package io.roamtun.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small internet in network namespaces, built by the test and removed afterwards (also on failure,
 * and from a shutdown hook if the JVM dies): a "mobile" host with two uplinks, a router, and a "server"
 * host. Only documentation ranges are used:
 *
 * <pre>
 *   mobile                          router                          server
 *   wlan0 192.0.2.2/24    ---- r-wlan 192.0.2.1/24
 *   wwan0 198.51.100.2/24 ---- r-wwan 198.51.100.1/24
 *                                   r-srv 203.0.113.1/24   ----   eth0 203.0.113.2/24
 * </pre>
 *
 * The mobile host routes by source address (table 101 for wlan0's address, 102 for wwan0's), so a socket
 * bound to an interface's address leaves through that interface, as on a laptop with NetworkManager.
 */
final class NetnsLab implements AutoCloseable {
    static final String WLAN_ADDRESS = "192.0.2.2";
    static final String WWAN_ADDRESS = "198.51.100.2";
    static final String SERVER_ADDRESS = "203.0.113.2";

    final String mobile;
    final String router;
    final String server;
    private final List<Process> processes = new ArrayList<>();
    private final Thread cleanupHook = new Thread(this::removeQuietly, "netns-cleanup");

    NetnsLab() throws IOException, InterruptedException {
        String tag = "rt" + (ProcessHandle.current().pid() % 100_000);
        mobile = tag + "m";
        router = tag + "r";
        server = tag + "s";
        removeQuietly(); // leftovers of an earlier run that was killed
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        try {
            build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void build() throws IOException, InterruptedException {
        for (String ns : new String[] {mobile, router, server}) {
            ip("netns", "add", ns);
            ip("-n", ns, "link", "set", "lo", "up");
        }
        ip("link", "add", "wlan0", "netns", mobile, "type", "veth", "peer", "name", "r-wlan", "netns", router);
        ip("link", "add", "wwan0", "netns", mobile, "type", "veth", "peer", "name", "r-wwan", "netns", router);
        ip("link", "add", "eth0", "netns", server, "type", "veth", "peer", "name", "r-srv", "netns", router);
        ip("-n", router, "addr", "add", "192.0.2.1/24", "dev", "r-wlan");
        ip("-n", router, "addr", "add", "198.51.100.1/24", "dev", "r-wwan");
        ip("-n", router, "addr", "add", "203.0.113.1/24", "dev", "r-srv");
        for (String dev : new String[] {"r-wlan", "r-wwan", "r-srv"}) {
            ip("-n", router, "link", "set", dev, "up");
        }
        run("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        ip("-n", server, "addr", "add", SERVER_ADDRESS + "/24", "dev", "eth0");
        ip("-n", server, "link", "set", "eth0", "up");
        ip("-n", server, "route", "add", "default", "via", "203.0.113.1");
        ip("-n", mobile, "rule", "add", "from", WLAN_ADDRESS, "table", "101", "priority", "101");
        ip("-n", mobile, "rule", "add", "from", WWAN_ADDRESS, "table", "102", "priority", "102");
        restoreWlan();
        ip("-n", mobile, "addr", "add", WWAN_ADDRESS + "/24", "dev", "wwan0");
        ip("-n", mobile, "link", "set", "wwan0", "up");
        addRoutes("wwan0");
    }

    /** Brings wlan0 up with its address and routes, as a DHCP client would after the link returns. */
    void restoreWlan() throws IOException, InterruptedException {
        runAllowingFailure("ip", "-n", mobile, "addr", "add", WLAN_ADDRESS + "/24", "dev", "wlan0");
        ip("-n", mobile, "link", "set", "wlan0", "up");
        addRoutes("wlan0");
    }

    private void addRoutes(String dev) throws IOException, InterruptedException {
        boolean wlan = dev.equals("wlan0");
        String gateway = wlan ? "192.0.2.1" : "198.51.100.1";
        runAllowingFailure("ip", "-n", mobile, "route", "add", "default", "via", gateway, "dev", dev, "table", wlan ? "101" : "102");
        runAllowingFailure("ip", "-n", mobile, "route", "add", "default", "via", gateway, "dev", dev, "metric", wlan ? "100" : "200");
    }

    void ip(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        run(command);
    }

    /** Runs a command in the mobile namespace: {@code nft}, {@code ip}, ... */
    void inMobile(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", mobile));
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    /** Starts a long-running program in a namespace, its output to {@code log}; stopped by {@link #close}. */
    Process start(String namespace, Path log, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
        return out;
    }

    private static void runAllowingFailure(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    private void removeQuietly() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        for (String ns : new String[] {mobile, router, server}) {
            try {
                String pids = new String(new ProcessBuilder("ip", "netns", "pids", ns).redirectErrorStream(true).start()
                        .getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                for (String pid : pids.split("\\s+")) {
                    if (pid.matches("\\d+")) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                runAllowingFailure("ip", "netns", "del", ns);
            } catch (IOException | InterruptedException ignored) {
                // best effort: nothing else to do while cleaning up
            }
        }
    }

    @Override
    public void close() {
        removeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
