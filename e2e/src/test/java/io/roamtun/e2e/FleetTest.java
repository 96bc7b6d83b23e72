package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet of two server-services (one --dir, --node-id n1 and n2) behind HAProxy in TCP mode, three
 * client-services through the balancer, each with a transfer open. The balancer is restarted four times,
 * each time sending new connections to the other node first: every link through it is cut, each RESUME
 * lands on whichever node the balancer picks, is redirected to the node holding its session when that is
 * another, and every transfer carries on with identical bytes.
 */
class FleetTest {
    private static final int CLIENTS = 3;
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private <T extends AutoCloseable> T started(T thing) {
        started.add(thing);
        return thing;
    }

    @Test
    @Timeout(240)
    void restartsOfTheBalancerAreResumedOnTheNodeHoldingEachSession(@TempDir Path dir) throws Exception {
        String haproxy = ExternalTools.require("haproxy");
        Backends.Server echo = started(Backends.echo());
        Fleet fleet = Fleet.start(dir, 2, "echo=127.0.0.1:" + echo.address().getPort(), started);
        int[] nodes = fleet.ports;
        AgentProcess[] servers = fleet.nodes;
        int front = Fleet.freePort();
        Haproxy balancer = started(new Haproxy(haproxy, dir.resolve("haproxy.cfg"), front));
        balancer.start("roundrobin", nodes);

        AgentProcess[] clients = new AgentProcess[CLIENTS];
        List<EchoConnection> transfers = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) { // one after the other: round robin spreads them over both nodes
            clients[i] = fleet.client(front, "--forward", "127.0.0.1:0=echo", "--admin-socket", dir.resolve("c" + i + ".sock").toString());
            int port = Integer.parseInt(clients[i].await("forwarding 127\\.0\\.0\\.1:(\\d+) to service echo", 30));
            clients[i].await("session \\w+ established", 30);
            transfers.add(started(new EchoConnection(port, i)));
        }
        String[] held = new String[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            held[i] = node(dir, i);
        }
        assertTrue(List.of(held).containsAll(List.of("n1", "n2")), "round robin spread the sessions: " + List.of(held));
        for (EchoConnection t : transfers) {
            t.roundTrip(4);
        }

        // Each restart sends new connections to one node, the other one each time. A session whose link still
        // goes through the balancer and lands on the node not holding it is redirected, and from then on goes
        // to its node directly, past the balancer: what each client should have seen.
        int[][] firstNode = {{1, 0}, {0, 1}, {1, 0}, {0, 1}};
        boolean[] throughBalancer = {true, true, true};
        int[] expectedRedirects = new int[CLIENTS];
        for (int restart = 0; restart < 4; restart++) {
            String picked = "n" + (firstNode[restart][0] + 1);
            for (int i = 0; i < CLIENTS; i++) {
                if (throughBalancer[i] && !held[i].equals(picked)) {
                    expectedRedirects[i]++;
                    throughBalancer[i] = false;
                }
            }
            for (EchoConnection t : transfers) {
                t.send(); // in flight while the balancer goes
            }
            balancer.stop();
            int[] order = firstNode[restart];
            balancer.start("first", new int[] {nodes[order[0]], nodes[order[1]]});
            for (EchoConnection t : transfers) {
                t.receive();
                t.roundTrip(2);
            }
            for (int i = 0; i < CLIENTS; i++) { // the session stays on its own node
                assertEquals(held[i], node(dir, i));
            }
        }
        assertTrue(java.util.Arrays.stream(expectedRedirects).sum() >= 2, "sessions on both nodes: each restart redirects some");
        for (int i = 0; i < CLIENTS; i++) {
            int owner = held[i].equals("n1") ? 0 : 1;
            assertEquals(expectedRedirects[i], redirects(dir, i), "client " + i + ":\n" + clients[i].output());
            assertEquals(expectedRedirects[i] > 0, clients[i].output().contains("is held by node " + held[i]
                    + ": resuming there, at 127.0.0.1:" + nodes[owner]), clients[i].output());
            if (expectedRedirects[i] > 0) { // the other node sent it there
                assertTrue(servers[1 - owner].output().contains("held by node " + held[i] + ": redirected to 127.0.0.1:" + nodes[owner]),
                        servers[1 - owner].output());
            }
        }
        for (EchoConnection t : transfers) {
            t.roundTrip(4);
            t.finish();
        }
        assertEquals(0, count(servers[0], "session \\w+ opened") + count(servers[1], "session \\w+ opened") - CLIENTS,
                "three sessions in all: none was lost and opened again");
    }

    /**
     * Trust through a CA whose certificate names the fleet "localhost" (no IP address in it): the redirect's
     * holder is reached by the address in the ticket but checked against the name the client was given, so
     * the redirected resume passes TLS's name check.
     */
    @Test
    @Timeout(120)
    void aRedirectIsFollowedUnderCaTrust(@TempDir Path dir) throws Exception {
        String haproxy = ExternalTools.require("haproxy");
        String openssl = ExternalTools.require("openssl");
        Path ext = java.nio.file.Files.writeString(dir.resolve("ext.cnf"),
                "subjectAltName=DNS:localhost\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n");
        TlsTunnelTest.run(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                dir.resolve("ca.key").toString(), "-out", dir.resolve("ca.pem").toString(), "-days", "2", "-subj", "/CN=fleet test CA");
        TlsTunnelTest.run(openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                dir.resolve("key.pem").toString(), "-out", dir.resolve("node.csr").toString(), "-subj", "/CN=localhost");
        TlsTunnelTest.run(openssl, "x509", "-req", "-in", dir.resolve("node.csr").toString(), "-CA", dir.resolve("ca.pem").toString(), "-CAkey",
                dir.resolve("ca.key").toString(), "-CAcreateserial", "-out", dir.resolve("cert.pem").toString(), "-days", "2",
                "-extfile", ext.toString());
        Backends.Server echo = started(Backends.echo());
        Fleet fleet = Fleet.start(dir, 2, "echo=127.0.0.1:" + echo.address().getPort(), started,
                "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString());
        int front = Fleet.freePort();
        Haproxy balancer = started(new Haproxy(haproxy, dir.resolve("haproxy.cfg"), front));
        balancer.start("first", fleet.ports); // n1 takes the session
        AgentProcess client = started(AgentProcess.client("--server", "localhost:" + front, "--server-ca", dir.resolve("ca.pem").toString(),
                "--credential", fleet.credential, "--forward", "127.0.0.1:0=echo", "--admin-socket", dir.resolve("c0.sock").toString()));
        int port = Integer.parseInt(client.await("forwarding 127\\.0\\.0\\.1:(\\d+) to service echo", 30));
        client.await("session \\w+ established", 30);
        EchoConnection transfer = started(new EchoConnection(port, 5));
        transfer.roundTrip(2);
        transfer.send();
        balancer.stop();
        balancer.start("first", new int[] {fleet.ports[1], fleet.ports[0]}); // n2 first: the resume is redirected to n1
        transfer.receive();
        transfer.roundTrip(2);
        transfer.finish();
        assertEquals(1, redirects(dir, 0), client.output());
        assertEquals("n1", node(dir, 0));
    }

    /**
     * The node holding a session dies (SIGKILL) after a redirect sent the client to it directly: the client
     * tries it a few times, asks the balancer again, is redirected to the same silent node, and so knows the
     * session died with it. Its connections are reset (no app takes a cut-off transfer for a whole one) and a
     * new session starts on the living node; the forward works again.
     */
    @Test
    @Timeout(120)
    void aSessionWhoseNodeDiedIsGivenUpAndANewOneStartsOnAnother(@TempDir Path dir) throws Exception {
        String haproxy = ExternalTools.require("haproxy");
        Backends.Server echo = started(Backends.echo());
        Fleet fleet = Fleet.start(dir, 2, "echo=127.0.0.1:" + echo.address().getPort(), started);
        int[] nodes = fleet.ports;
        AgentProcess[] servers = fleet.nodes;
        int front = Fleet.freePort();
        Haproxy balancer = started(new Haproxy(haproxy, dir.resolve("haproxy.cfg"), front));
        balancer.start("first", new int[] {nodes[0], nodes[1]}); // n1 takes the session
        AgentProcess client = fleet.client(front, "--forward", "127.0.0.1:0=echo", "--admin-socket", dir.resolve("c0.sock").toString());
        int port = Integer.parseInt(client.await("forwarding 127\\.0\\.0\\.1:(\\d+) to service echo", 30));
        client.await("session \\w+ established", 30);
        assertEquals("n1", node(dir, 0));
        EchoConnection transfer = started(new EchoConnection(port, 1));
        transfer.roundTrip(2);
        balancer.stop();
        balancer.start("first", new int[] {nodes[1], nodes[0]}); // now n2 first: the session is redirected to n1, directly
        transfer.roundTrip(2);
        assertEquals(1, redirects(dir, 0));

        servers[0].signal("KILL");
        servers[0].waitFor(30);
        client.await("session \\w+ is lost: its node n1 at 127\\.0\\.0\\.1:" + nodes[0] + " does not answer", 60);
        assertTrue(client.output().contains("the node holding session"), client.output());
        assertThrows(IOException.class, () -> transfer.roundTrip(1), "the transfer's connection was reset, not ended cleanly");
        Await.until(Duration.ofSeconds(30), () -> "n2".equals(node(dir, 0)), () -> "no new session on n2:\n" + client.output());
        try (EchoConnection fresh = new EchoConnection(port, 2)) {
            fresh.roundTrip(4);
            fresh.finish();
        }
    }

    /**
     * A rolling restart: each node in turn is drained (SIGTERM) and started again while every client keeps
     * opening new connections and has a long transfer open. The draining node says MOVING: each client opens
     * a new session on the other node for its new connections and lets the open ones finish on the old
     * session, which it closes once they are done; the node then exits 0. Not one connection fails.
     */
    @Test
    @Timeout(240)
    void aRollingRestartFailsNoConnection(@TempDir Path dir) throws Exception {
        String haproxy = ExternalTools.require("haproxy");
        Backends.Server echo = started(Backends.echo());
        Fleet fleet = Fleet.start(dir, 2, "echo=127.0.0.1:" + echo.address().getPort(), started);
        int[] nodes = fleet.ports;
        AgentProcess[] servers = fleet.nodes;
        int front = Fleet.freePort();
        Haproxy balancer = started(new Haproxy(haproxy, dir.resolve("haproxy.cfg"), front));
        balancer.start("roundrobin", nodes);
        int[] forwards = new int[2];
        AgentProcess[] clients = new AgentProcess[2];
        for (int i = 0; i < 2; i++) {
            clients[i] = fleet.client(front, "--forward", "127.0.0.1:0=echo", "--admin-socket", dir.resolve("c" + i + ".sock").toString());
            forwards[i] = Integer.parseInt(clients[i].await("forwarding 127\\.0\\.0\\.1:(\\d+) to service echo", 30));
            clients[i].await("session \\w+ established", 30);
        }
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ConcurrentLinkedQueue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicBoolean going = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> loops = new ArrayList<>();
        for (int i = 0; i < 2; i++) { // new connections all along, one after another, each one echoed whole
            int port = forwards[i];
            Thread loop = new Thread(() -> {
                for (long seed = 0; going.get(); seed++) {
                    try (EchoConnection c = new EchoConnection(port, seed)) {
                        c.roundTrip(1);
                        c.finish();
                        made.incrementAndGet();
                    } catch (IOException | AssertionError e) {
                        failures.add(e.toString());
                    }
                }
            }, "connection-loop-" + i);
            loop.start();
            loops.add(loop);
        }
        try {
            for (int n = 0; n < 2; n++) {
                EchoConnection[] transfers = {started(new EchoConnection(forwards[0], 100 + n)), started(new EchoConnection(forwards[1], 200 + n))};
                for (EchoConnection t : transfers) {
                    t.roundTrip(2);
                    t.send(); // in flight as the drain begins
                }
                int before = made.get();
                servers[n].terminate();
                servers[n].await("draining as node n" + (n + 1), 30);
                for (EchoConnection t : transfers) { // the transfers finish, on whichever session they began
                    t.receive();
                    t.roundTrip(8);
                    t.finish();
                }
                assertEquals(0, servers[n].waitFor(60), "the drained node exits 0 once its sessions are done:\n" + servers[n].output());
                int drained = n;
                Await.until(Duration.ofSeconds(30), () -> made.get() > before + 20, () -> "new connections stalled after node "
                        + (drained + 1) + " drained; failures " + failures);
                fleet.startNode(n);
            }
        } finally {
            going.set(false);
            for (Thread loop : loops) {
                loop.join(30_000);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " connections failed, of " + (made.get() + failures.size()) + ": " + failures);
        for (int i = 0; i < 2; i++) {
            assertTrue(clients[i].output().contains("its node is draining; new streams go to session"), clients[i].output());
            assertTrue(Long.parseLong(field(status(dir, i), "\"handoffs\" : (\\d+)")) >= 1, status(dir, i));
        }
    }

    private static String status(Path dir, int client) throws IOException {
        return NetnsHandoverTest.admin(dir.resolve("c" + client + ".sock"), "status json");
    }

    private static String field(String json, String regex) {
        Matcher m = Pattern.compile(regex).matcher(json);
        assertTrue(m.find(), regex + " in:\n" + json);
        return m.group(1);
    }

    private static String node(Path dir, int client) throws IOException {
        Matcher m = Pattern.compile("\"node\" : \"(\\w+)\"").matcher(status(dir, client));
        return m.find() ? m.group(1) : null; // (none between sessions: the JSON leaves nulls out)
    }

    private static long redirects(Path dir, int client) throws IOException {
        return Long.parseLong(field(status(dir, client), "\"redirects\" : (\\d+)"));
    }

    static int count(AgentProcess process, String regex) {
        Matcher m = Pattern.compile(regex).matcher(process.output());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
