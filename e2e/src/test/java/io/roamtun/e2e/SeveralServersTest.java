package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
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
 * One client-service, several server-services: three client-services, each with a session to two
 * server-services ("a" and "b", each with its own certificate and its own credential for the client), each
 * with a forward and a reverse tunnel through both. One server is killed (SIGKILL) and started again: the
 * connections and sessions through the other carry on untouched, and the clients' next sessions with the
 * restarted one expose their ports again. All agents run as their own processes, as the launchers run them.
 */
class SeveralServersTest {
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

    /** One server-service: its directory (certificate, clients), the port it got, and what clients must trust. */
    private record Server(String name, Path dir, String fingerprint, int[] exposed) {}

    @Test
    @Timeout(240)
    void threeClientsTwoServersAndOneServerRestartedLeavesTheOtherAlone(@TempDir Path dir) throws Exception {
        Backends.Server echo = started(Backends.echo());           // the backend service beside both servers
        Backends.Server clientApp = started(Backends.echo());     // the app on the clients' side, for the reverse tunnels
        Server a = initServer("a", dir);
        Server b = initServer("b", dir);
        AgentProcess serverA = started(startServer(a, 0, echo));
        int portA = Integer.parseInt(serverA.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30));
        AgentProcess serverB = started(startServer(b, 0, echo));
        int portB = Integer.parseInt(serverB.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30));

        AgentProcess[] clients = new AgentProcess[CLIENTS];
        int[][] forwards = new int[CLIENTS][2];
        for (int i = 0; i < CLIENTS; i++) {
            String name = "c" + (i + 1);
            clients[i] = started(AgentProcess.client("--server", "a=127.0.0.1:" + portA, "--server", "b=127.0.0.1:" + portB,
                    "--server-fingerprint", "a=" + a.fingerprint(), "--server-fingerprint", "b=" + b.fingerprint(),
                    "--credential-file", "a=" + a.dir().resolve(name + ".credential"),
                    "--credential-file", "b=" + b.dir().resolve(name + ".credential"),
                    "--forward", "127.0.0.1:0=a/echo-a", "--forward", "127.0.0.1:0=b/echo-b",
                    "--expose", "a/" + a.exposed()[i] + "=" + clientApp.address().getPort(), "--expose", "b/" + b.exposed()[i] + "=" + clientApp.address().getPort(),
                    "--admin-socket", dir.resolve(name + ".sock").toString()));
            forwards[i][0] = Integer.parseInt(clients[i].await("forwarding 127\\.0\\.0\\.1:(\\d+) to service echo-a via a \\(", 30));
            forwards[i][1] = Integer.parseInt(clients[i].await("forwarding 127\\.0\\.0\\.1:(\\d+) to service echo-b via b \\(", 30));
        }
        for (int i = 0; i < CLIENTS; i++) {
            clients[i].await("--expose a/" + a.exposed()[i] + ": the server listens on 127\\.0\\.0\\.1:" + a.exposed()[i], 30);
            clients[i].await("--expose b/" + b.exposed()[i] + ": the server listens on 127\\.0\\.0\\.1:" + b.exposed()[i], 30);
        }
        String[] sessionsWithA = new String[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            sessionsWithA[i] = sessionId(dir.resolve("c" + (i + 1) + ".sock"), "a");
            assertNotNull(sessionsWithA[i]);
            for (int port : new int[] {forwards[i][0], forwards[i][1], a.exposed()[i], b.exposed()[i]}) {
                try (EchoConnection e = new EchoConnection(port, 10 * i + port)) {
                    e.roundTrip(8);
                    e.finish();
                }
            }
        }

        // Connections through server a, forward and reverse, open across b's death and rebirth.
        List<EchoConnection> throughA = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            throughA.add(started(new EchoConnection(forwards[i][0], 100 + i)));
            throughA.add(started(new EchoConnection(a.exposed()[i], 200 + i)));
        }
        for (EchoConnection e : throughA) {
            e.roundTrip(4);
        }
        serverB.signal("KILL");
        serverB.waitFor(30);
        for (int i = 0; i < CLIENTS; i++) { // each client notices b is gone
            Path socket = dir.resolve("c" + (i + 1) + ".sock");
            Await.until(Duration.ofSeconds(30), () -> NetnsHandoverTest.admin(socket, "status").matches("(?s).*server b \\(.*?\\):\n  uplink: (?!ACTIVE).*"),
                    () -> "the uplink to b is still active:\n" + NetnsHandoverTest.admin(socket, "status"));
        }
        AgentProcess serverBAgain = started(startServer(b, portB, echo));
        serverBAgain.await("listening on 127\\.0\\.0\\.1:" + portB, 30);
        for (int i = 0; i < CLIENTS; i++) { // a new session with b: the ports are exposed again
            AgentProcess client = clients[i];
            String line = "--expose b/" + b.exposed()[i] + ": the server listens on 127\\.0\\.0\\.1:" + b.exposed()[i];
            Await.until(Duration.ofSeconds(60), () -> FleetTest.count(client, line) >= 2, () -> "b's port not exposed again:\n" + client.output());
        }
        for (int i = 0; i < CLIENTS; i++) {
            for (int port : new int[] {forwards[i][1], b.exposed()[i]}) {
                try (EchoConnection e = new EchoConnection(port, 300 + i)) {
                    e.roundTrip(8);
                    e.finish();
                }
            }
        }
        for (EchoConnection e : throughA) {
            e.roundTrip(12);
            e.finish();
        }
        for (int i = 0; i < CLIENTS; i++) {
            Path socket = dir.resolve("c" + (i + 1) + ".sock");
            assertEquals(sessionsWithA[i], sessionId(socket, "a"), "the session with a was not replaced");
            String status = NetnsHandoverTest.admin(socket, "status");
            assertTrue(status.matches("(?s)server a \\(.*?\\):\\n  uplink: ACTIVE.*?resumed 0 times.*server b .*"),
                    "the session with a never paused:\n" + status);
        }
    }

    /** Runs {@code server-service init} for the server and adds clients c1..c3, each with its credential in a file. */
    private static Server initServer(String name, Path dir) throws Exception {
        Path serverDir = dir.resolve("server-" + name);
        String init = Fleet.setUp("init", "--dir", serverDir.toString(), "--client", "c1");
        String fingerprint = init.replaceAll("(?s).*--server-fingerprint (sha256:[0-9a-f]+).*", "$1");
        Files.writeString(serverDir.resolve("c1.credential"), init.replaceAll("(?s).*--credential (c1:\\S+).*", "$1"));
        for (int i = 2; i <= CLIENTS; i++) {
            String added = Fleet.setUp("client", "add", "c" + i, "--dir", serverDir.toString());
            Files.writeString(serverDir.resolve("c" + i + ".credential"), added.replaceAll("(?s).*--credential (c" + i + ":\\S+).*", "$1"));
        }
        for (int i = 1; i <= CLIENTS; i++) {
            Files.setPosixFilePermissions(serverDir.resolve("c" + i + ".credential"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        int[] exposed = new int[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            exposed[i] = Fleet.freePort();
        }
        return new Server(name, serverDir, fingerprint, exposed);
    }

    private static AgentProcess startServer(Server server, int port, Backends.Server echo) throws IOException {
        StringBuilder allowed = new StringBuilder();
        for (int p : server.exposed()) {
            allowed.append(allowed.length() == 0 ? "" : ",").append(p);
        }
        return AgentProcess.server("--dir", server.dir().toString(), "--listen", "127.0.0.1:" + port,
                "--service", "echo-" + server.name() + "=127.0.0.1:" + echo.address().getPort(), "--allow-expose", allowed.toString());
    }

    /** The id of the client's session with {@code server}, from 'status --json' (null before its WELCOME). */
    private static String sessionId(Path socket, String server) throws IOException {
        String json = NetnsHandoverTest.admin(socket, "status json");
        int from = json.indexOf("\"server\" : \"" + server + "\"");
        int to = json.indexOf("\"server\" : \"", from + 1);
        assertTrue(from >= 0, "no server " + server + " in:\n" + json);
        Matcher m = Pattern.compile("\"id\" : (null|\"([0-9a-f]+)\")").matcher(json.substring(from, to < 0 ? json.length() : to));
        assertTrue(m.find(), json);
        return m.group(2);
    }

}
