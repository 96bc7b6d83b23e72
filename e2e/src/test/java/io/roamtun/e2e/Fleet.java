package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

/**
 * Server-services of one fleet for a test: one --dir made by init (with client "laptop"), nodes n1, n2, ...
 * on loopback ports of their own, each advertising its port and offering {@code service}. Started as
 * processes; the test's list of things to close gets each.
 */
final class Fleet {
    final Path dir;
    final String fingerprint;
    final String credential;
    final int[] ports;
    final AgentProcess[] nodes;
    private final String service;
    private final List<AutoCloseable> started;

    private Fleet(Path dir, String init, int size, String service, List<AutoCloseable> started) throws IOException {
        this.dir = dir;
        this.fingerprint = init.replaceAll("(?s).*--server-fingerprint (sha256:[0-9a-f]+).*", "$1");
        this.credential = init.replaceAll("(?s).*--credential (laptop:\\S+).*", "$1");
        this.ports = new int[size];
        for (int n = 0; n < size; n++) {
            ports[n] = freePort();
        }
        this.nodes = new AgentProcess[size];
        this.service = service;
        this.started = started;
    }

    /** {@code size} nodes offering {@code service} ("NAME=HOST:PORT"), each started and listening; {@code init} more set-up flags. */
    static Fleet start(Path dir, int size, String service, List<AutoCloseable> started, String... init) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("init", "--dir", dir.resolve("fleet").toString(), "--client", "laptop"));
        args.addAll(List.of(init));
        Fleet fleet = new Fleet(dir, setUp(args.toArray(String[]::new)), size, service, started);
        for (int n = 0; n < size; n++) {
            fleet.startNode(n);
        }
        return fleet;
    }

    /** Starts node {@code n} (again), on its own port. */
    AgentProcess startNode(int n) throws Exception {
        AgentProcess node = AgentProcess.server("--dir", dir.resolve("fleet").toString(), "--listen", "127.0.0.1:" + ports[n],
                "--node-id", "n" + (n + 1), "--advertise", "127.0.0.1:" + ports[n], "--service", service);
        started.add(node);
        node.await("listening on 127\\.0\\.0\\.1:" + ports[n] + " .*fleet node n" + (n + 1), 30);
        nodes[n] = node;
        return node;
    }

    /** A client-service through {@code front} (the balancer), trusting the fleet, with {@code more} flags. */
    AgentProcess client(int front, String... more) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("--server", "127.0.0.1:" + front, "--server-fingerprint", fingerprint,
                "--credential", credential));
        args.addAll(List.of(more));
        AgentProcess client = AgentProcess.client(args.toArray(String[]::new));
        started.add(client);
        return client;
    }

    static String setUp(String... args) throws Exception {
        try (AgentProcess p = AgentProcess.server(args)) {
            assertEquals(0, p.waitFor(30), p.output());
            return p.output();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
