package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.roamtun.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The agents' command lines, run as real processes: help, bad input and exit codes, config files. */
class CommandLineTest {

    @Test
    void helpListsTheFlagsAndExitsZero() throws Exception {
        try (AgentProcess server = AgentProcess.server("--help")) {
            assertEquals(0, server.waitFor(30));
            for (String flag : new String[] {"--listen", "--service", "--insecure-plaintext", "--config", "--log-level"}) {
                assertTrue(server.output().contains(flag), flag + " in help:\n" + server.output());
            }
        }
        try (AgentProcess client = AgentProcess.client("--help")) {
            assertEquals(0, client.waitFor(30));
            for (String flag : new String[] {"--server", "--forward", "--insecure-plaintext", "--config", "--log-level"}) {
                assertTrue(client.output().contains(flag), flag + " in help:\n" + client.output());
            }
        }
    }

    /** -h and -V, like --help and --version, print and exit 0 for both agents. */
    @Test
    void shortHelpAndVersionExitZero() throws Exception {
        for (String main : new String[] {"io.roamtun.server.ServerServiceMain", "io.roamtun.client.ClientServiceMain"}) {
            for (String flag : new String[] {"-V", "--version"}) {
                try (AgentProcess agent = AgentProcess.start(main, flag)) {
                    assertEquals(0, agent.waitFor(30), agent.output());
                    assertTrue(agent.output().matches("(?s)(server|client)-service \\d+\\.\\d+\\.\\d+\\S*\\s*"),
                            "one line with the version: " + agent.output());
                }
            }
            try (AgentProcess agent = AgentProcess.start(main, "-h")) {
                assertEquals(0, agent.waitFor(30), agent.output());
                assertTrue(agent.output().contains("--insecure-plaintext"), agent.output());
            }
        }
    }

    /** --log-file takes the log lines, dated in ISO-8601 with the offset, instead of stderr. */
    @Test
    void aLogFileTakesTheDatedLines(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("server.log");
        try (AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0", "--service",
                "a=127.0.0.1:1", "--log-file", log.toString())) {
            Await.until(java.time.Duration.ofSeconds(30), () -> Files.exists(log) && Files.readString(log).contains("listening on"),
                    () -> "no 'listening on' in " + log + "; the process said:\n" + server.output());
            String line = Files.readAllLines(log).stream().filter(l -> l.contains("listening on")).findFirst().orElseThrow();
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  server-service .*"), line);
            assertFalse(server.output().contains("listening on"), "not on stderr too:\n" + server.output());
        }
        try (AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0", "--service",
                "a=127.0.0.1:1", "--log-file", tmp.resolve("no/such/dir/x.log").toString())) {
            assertEquals(2, server.waitFor(30), server.output());
            assertTrue(server.output().contains("--log-file"), server.output());
        }
    }

    /** status and switch parse like the rest: --admin-socket=PATH, no abbreviations, one interface for switch. */
    @Test
    void statusAndSwitchRefuseMistakesInOneLine(@TempDir Path tmp) throws Exception {
        String socket = tmp.resolve("none.sock").toString();
        try (AgentProcess status = AgentProcess.client("status", "--admin-socket=" + socket)) {
            assertEquals(1, status.waitFor(30), status.output());
            assertTrue(status.output().contains("no client-service answers on " + socket), status.output());
        }
        for (String[] args : new String[][] {{"status", "--admin", socket}, {"switch"}, {"switch", "wlan0", "eth0"}}) {
            try (AgentProcess command = AgentProcess.client(args)) {
                assertEquals(2, command.waitFor(30), command.output());
                assertEquals(1, command.output().lines().count(), command.output());
            }
        }
    }

    /** An abbreviation is no flag: '--insec' must not turn encryption off as --insecure-plaintext. */
    /**
     * Two client-services of one user, each with its own config file, get their own default admin sockets
     * (named for the file); a control command without --instance refuses to guess between them and names
     * both, and with --instance it reaches the one asked for.
     */
    @Test
    void twoClientServicesOfOneUserDoNotCollideOnTheirAdminSockets(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.util.Map<String, String> env = java.util.Map.of("XDG_RUNTIME_DIR", tmp.toString());
        List<AgentProcess> agents = new java.util.ArrayList<>();
        try {
            for (String name : new String[] {"home", "work"}) {
                java.nio.file.Path conf = tmp.resolve(name + ".properties");
                java.nio.file.Files.writeString(conf, "insecure-plaintext=true\nserver=127.0.0.1:9\nforward=127.0.0.1:0=" + name + "\n");
                AgentProcess agent = AgentProcess.startWith(env, List.of("-Xmx128m"), "io.roamtun.client.ClientServiceMain",
                        "--config", conf.toString());
                agents.add(agent);
                agent.await("admin socket .*/roamtun/" + name + "\\.sock", 30);
            }
            try (AgentProcess guess = AgentProcess.startWith(env, List.of("-Xmx64m"), "io.roamtun.client.ClientServiceMain", "status")) {
                assertEquals(2, guess.waitFor(30), guess.output());
                assertTrue(guess.output().contains("several client-services run (home, work): say which with --instance NAME"),
                        guess.output());
            }
            try (AgentProcess asked = AgentProcess.startWith(env, List.of("-Xmx64m"), "io.roamtun.client.ClientServiceMain",
                    "status", "--instance", "work")) {
                assertEquals(0, asked.waitFor(30), asked.output());
                assertTrue(asked.output().contains("uplink: "), asked.output());
            }
            try (AgentProcess none = AgentProcess.startWith(env, List.of("-Xmx64m"), "io.roamtun.client.ClientServiceMain",
                    "status", "--instance", "elsewhere")) {
                assertEquals(1, none.waitFor(30), none.output());
                assertTrue(none.output().contains("elsewhere.sock"), none.output());
            }
        } finally {
            for (AgentProcess agent : agents) {
                agent.close();
            }
        }
    }

    /**
     * The commented example configs the distribution ships parse through every key: what stops each agent
     * is the first thing past the syntax (a key file, a credential file that is not there on this machine).
     */
    @Test
    void theShippedExampleConfigsAreValid() throws Exception {
        java.nio.file.Path conf = java.nio.file.Path.of(System.getProperty("user.dir")).resolveSibling("installers").resolve("conf");
        try (AgentProcess server = AgentProcess.server("--config", conf.resolve("server-service.properties").toString())) {
            assertEquals(2, server.waitFor(30), server.output());
            assertTrue(server.output().contains("--dir: /var/lib/roamtun/server has no server key"), server.output());
        }
        try (AgentProcess client = AgentProcess.client("--config", conf.resolve("client-service.properties").toString())) {
            assertEquals(2, client.waitFor(30), client.output());
            assertTrue(client.output().contains("--credential-file: cannot read"), client.output());
        }
    }

    @Test
    void anAbbreviatedFlagIsRefused() throws Exception {
        try (AgentProcess server = AgentProcess.server("--insec", "--listen", "127.0.0.1:0", "--service", "a=127.0.0.1:1")) {
            assertEquals(2, server.waitFor(30), server.output());
            assertTrue(server.output().contains("--insec"), server.output());
        }
        try (AgentProcess client = AgentProcess.client("--insec", "--server", "127.0.0.1:1", "--forward", "127.0.0.1:0=web")) {
            assertEquals(2, client.waitFor(30), client.output());
            assertTrue(client.output().contains("--insec"), client.output());
        }
    }

    @ParameterizedTest(name = "server {0}")
    @CsvSource(delimiter = '|', value = {
            "--listen 127.0.0.1:0 --service a=127.0.0.1:1                         | TLS needs the server's key",
            "--listen 127.0.0.1 --service a=127.0.0.1:1                           | --listen: '127.0.0.1' is not HOST:PORT",
            "--listen 127.0.0.1:0 --service a=backend.invalid                     | --service a: 'backend.invalid' is not HOST:PORT",
            "--dir /nonexistent/roamtun --listen 127.0.0.1:0 --service a=127.0.0.1:1 | has no server key",
            "--listen 127.0.0.1:0 --service a=127.0.0.1:1 --insecure-plaintext --tls-provider openssl | not one of auto",
            "--insecure-plaintext --service a=127.0.0.1:1                         | --listen is required",
            "--insecure-plaintext --listen 127.0.0.1:99999 --service a=127.0.0.1:1 | not a port number",
            "--insecure-plaintext --listen 127.0.0.1:0                            | no --service given",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a                | not NAME=HOST:PORT",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a!=127.0.0.1:1   | not a valid name",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=x.invalid:1    | cannot resolve host",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --dead-after 3  | not a duration",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --log-level loud | not one of",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --max-buffer-memory 1MiB | between 4MiB and 1TiB",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --max-buffer-memory much | not a size",
            "--insecure-plaintext --bogus                                         | Unrecognized option",
            "--insecure-plaintext --config /nonexistent/roamtun.properties         | no such file or directory",
            "--insecure-plaintext --listen 127.0.0.1:0 --listen 127.0.0.1:1 --service a=127.0.0.1:1 | --listen given twice",
            "--insecure-plaintext --listen 127.0.0.1:0 --allow-expose 8080,9000-8000 | --allow-expose: range 9000-8000 runs backwards",
            "--insecure-plaintext --listen 127.0.0.1:0 --allow-expose http        | --allow-expose: 'http' is not a port",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --node-id n1 | --node-id and --advertise go together",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --node-id n1 --advertise node1.example:7000 | --advertise: 'node1.example' is not an IP address",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --node-id n1 --advertise 127.0.0.1:7000 | a fleet's nodes share one --dir",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --node-id n1 --advertise 0.0.0.0:7000 | is not an address clients can reach",
    })
    void serverRefusesBadInputWithOneLineAndExitTwo(String args, String expected) throws Exception {
        try (AgentProcess server = AgentProcess.server(args.trim().split("\\s+"))) {
            assertEquals(2, server.waitFor(30), server.output());
            assertTrue(server.output().contains(expected), "expected '" + expected + "' in:\n" + server.output());
            assertEquals(1, server.output().lines().count(), "one line:\n" + server.output());
        }
    }

    @ParameterizedTest(name = "client {0}")
    @CsvSource(delimiter = '|', value = {
            "--server 127.0.0.1:1 --forward 8080=web                 | say how to trust the server",
            "--server 127.0.0.1:1 --forward 8080=web --server-fingerprint md5:00 | a fingerprint starts with sha256:",
            "--server 127.0.0.1:1 --forward 8080=web --server-fingerprint sha256:abc | 64 hex digits",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --credential nocolon | must be NAME:SECRET",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --credential-file /nonexistent | cannot read /nonexistent: no such file",
            "--insecure-plaintext --server 127.0.0.1:1 --server 127.0.0.1:2 --forward 8080=web | --server given twice",
            "--insecure-plaintext --forward 8080=web                 | --server is required",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --http-resume 8081 | --http-resume 8081: no --forward listens on port 8081",
            "--insecure-plaintext --server a=127.0.0.1:1 --server b=127.0.0.1:2 --forward 8080=web | --forward 127.0.0.1:8080=web: say which server, SERVER/... (servers: a, b)",
            "--server a=127.0.0.1:1 --server b=127.0.0.1:2 --server-fingerprint a=sha256:0000000000000000000000000000000000000000000000000000000000000000 --forward 8080=b/web | say how to trust server b",
            "--insecure-plaintext --server 127.0.0.1:1               | no --forward given",
            "--insecure-plaintext --server 127.0.0.1:1 --forward web | not [BIND_ADDR:]PORT=NAME",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 0.0.0.0:8080=web | listens beyond this machine: say who may connect with --allow-from",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 0.0.0.0:8080=web --allow-from 192.168.1.1/24 | has host bits set (did you mean 192.168.1.0/24?)",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 0.0.0.0:8080=web --allow-from lan | --allow-from: 'lan' is not an address or network",
            "--insecure-plaintext --server 127.0.0.1:1 --expose 8080 | --expose: '8080' is not [SERVER/]PORT=[HOST:]LOCALPORT",
            "--insecure-plaintext --server 127.0.0.1:1 --expose-udp 5060 | --expose-udp: '5060' is not [SERVER/]PORT=[HOST:]LOCALPORT",
            "--insecure-plaintext --server 127.0.0.1:1 --forward-udp dns | --forward-udp: 'dns' is not [BIND_ADDR:]PORT=NAME",
            "--insecure-plaintext --server 127.0.0.1:1 --forward-udp 0.0.0.0:53=dns | listens beyond this machine: say who may send with --allow-from",
            "--insecure-plaintext --server 127.0.0.1:1 --expose web=3000 | --expose: 'web' is not a port",
            "--insecure-plaintext --server 127.0.0.1:1 --expose 0=3000 | the server-side port must be 1-65535",
            "--insecure-plaintext --server 127.0.0.1:1 --expose 8080=3000 --expose 8080=3001 | port 8080 is given twice",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 70000=web | not a port number",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --forward 8080=db | given twice",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --replay-buffer lots | not a size",
            "--insecure-plaintext --server localhost --forward 8080=web | not HOST:PORT",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --server-fingerprint sha256:00 | --insecure-plaintext turns encryption off",
            "--server somewhere.invalid --forward 8080=web             | not HOST:PORT",
            "--server somewhere.invalid:7000 --forward abc             | --forward: 'abc' is not [BIND_ADDR:]PORT=NAME",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --server-ca /etc/ssl/ca.pem | --insecure-plaintext turns encryption off",
    })
    void clientRefusesBadInputWithOneLineAndExitTwo(String args, String expected) throws Exception {
        try (AgentProcess client = AgentProcess.client(args.trim().split("\\s+"))) {
            assertEquals(2, client.waitFor(30), client.output());
            assertTrue(client.output().contains(expected), "expected '" + expected + "' in:\n" + client.output());
            assertEquals(1, client.output().lines().count(), "one line:\n" + client.output());
        }
    }

    @Test
    void configFileSuppliesOptionsAndFlagsWin(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "insecure-plaintext=true\nlisten=127.0.0.1:1\nservice=a=127.0.0.1:1,b=127.0.0.1:2\n");
        try (AgentProcess server = AgentProcess.server("--config", config.toString(), "--listen", "127.0.0.1:0")) {
            String port = server.await("listening on 127\\.0\\.0\\.1:(\\d+) .*services: \\[a, b\\]", 30);
            assertTrue(Integer.parseInt(port) > 1, "the flag's port 0 won over the file's 1");
        }
    }

    /** A switch in a file takes true or false: "insecure-plaintext=" (empty) used to turn TLS off. */
    @Test
    void configFileSwitchWithoutTrueOrFalseIsRefused(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "insecure-plaintext=\nlisten=127.0.0.1:0\nservice=a=127.0.0.1:1\n");
        try (AgentProcess server = AgentProcess.server("--config", config.toString())) {
            assertEquals(2, server.waitFor(30), server.output());
            assertTrue(server.output().contains("insecure-plaintext=: a switch takes true or false"), server.output());
        }
    }

    @Test
    void configFileWithAnUnknownKeyIsRefused(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("client.properties");
        Files.writeString(config, "insecure-plaintext=true\nserver=127.0.0.1:1\nforwards=8080=web\n");
        try (AgentProcess client = AgentProcess.client("--config", config.toString())) {
            assertEquals(2, client.waitFor(30));
            assertTrue(client.output().contains("unknown keys [forwards]"), client.output());
        }
    }

    /** Runs a server-service set-up command; returns its exit code, its output as {@code out[0]}. */
    private static int admin(String[] out, String... args) throws Exception {
        try (AgentProcess p = AgentProcess.server(args)) {
            int code = p.waitFor(30);
            out[0] = p.output();
            return code;
        }
    }

    /**
     * The set-up commands: help, mistakes refused in one line before anything is made, and no secret
     * replaced behind the user's back (re-running init, or adding a client that exists, used to issue a
     * new secret and lock out the device using the old one).
     */
    @Test
    void setUpCommandsRefuseMistakesAndNeverReplaceASecretSilently(@TempDir Path tmp) throws Exception {
        String[] out = new String[1];
        String dir = tmp.resolve("server").toString();
        assertEquals(0, admin(out, "init", "--help"), out[0]);
        assertTrue(out[0].contains("client add NAME --dir DIR"), out[0]);
        assertEquals(2, admin(out, "init", "--dir", dir, "--client", "bad name!"), out[0]);
        assertTrue(out[0].contains("client names are") && out[0].lines().count() == 1, out[0]);
        assertTrue(!Files.exists(Path.of(dir)), "nothing made for a refused command");
        assertEquals(2, admin(out, "init", "--dir", dir, "--validity-days", "abc"), out[0]);
        assertTrue(out[0].contains("'abc' is not a number of days"), out[0]);
        assertEquals(2, admin(out, "client", "list", "--dir", dir), out[0]);
        assertTrue(out[0].contains("is not a server directory"), out[0]);

        assertEquals(0, admin(out, "init", "--dir", dir, "--client", "laptop"), out[0]);
        String credential = out[0].lines().reduce((a, b) -> b).orElseThrow().replaceAll(".* --credential ", "");
        assertEquals(0, admin(out, "client", "list", "--dir=" + dir), out[0]); // --dir=DIR like --dir DIR
        assertTrue(out[0].contains("laptop"), out[0]);
        assertEquals(2, admin(out, "client", "list", "--di", dir), out[0]); // no abbreviations
        assertTrue(out[0].contains("--di"), out[0]);
        assertEquals(0, admin(out, "init", "--dir", dir, "--client", "laptop"), out[0]);
        assertTrue(out[0].contains("client 'laptop' exists and keeps its secret") && !out[0].contains("--credential "), out[0]);
        assertEquals(2, admin(out, "client", "add", "laptop", "--dir", dir), out[0]);
        assertTrue(out[0].contains("add --replace"), out[0]);
        assertEquals(2, admin(out, "client", "add", "phone", "--dir", dir, "--dir", dir), out[0]);
        assertTrue(out[0].contains("--dir given twice"), out[0]);
        assertEquals(0, admin(out, "client", "add", "laptop", "--dir", dir, "--replace"), out[0]);
        assertTrue(out[0].startsWith("--credential laptop:") && !out[0].contains(credential), out[0]);
    }

    /** An imported key from another pair than the certificate is refused at init, not at every handshake later. */
    @Test
    void initRefusesAKeyThatDoesNotBelongToTheCertificate(@TempDir Path tmp) throws Exception {
        String openssl = ExternalTools.require("openssl");
        for (String name : new String[] {"a", "b"}) {
            Process gen = new ProcessBuilder(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", tmp.resolve(name + ".key").toString(), "-out", tmp.resolve(name + ".pem").toString(),
                    "-days", "2", "-subj", "/CN=" + name).redirectErrorStream(true).start();
            gen.getInputStream().readAllBytes();
            assertEquals(0, gen.waitFor());
        }
        String[] out = new String[1];
        String dir = tmp.resolve("server").toString();
        assertEquals(1, admin(out, "init", "--dir", dir, "--tls-cert", tmp.resolve("a.pem").toString(),
                "--tls-key", tmp.resolve("b.key").toString()), out[0]);
        assertTrue(out[0].contains("does not belong to the certificate"), out[0]);
        assertEquals(0, admin(out, "init", "--dir", dir, "--tls-cert", tmp.resolve("a.pem").toString(),
                "--tls-key", tmp.resolve("a.key").toString()), out[0]);
    }

    /**
     * Without XDG_RUNTIME_DIR the admin socket goes to TMPDIR/roamtun-USER; a directory there that another
     * user could have made (or can write to) would let them take the socket over, so it is refused.
     */
    @Test
    void anAdminSocketDirectoryOthersCanWriteIsRefused(@TempDir Path tmp) throws Exception {
        Path squatted = Files.createDirectory(tmp.resolve("roamtun-" + System.getProperty("user.name")));
        Files.setPosixFilePermissions(squatted, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), "io.roamtun.client.ClientServiceMain",
                "--insecure-plaintext", "--server", "127.0.0.1:1", "--forward", "127.0.0.1:0=web").redirectErrorStream(true);
        pb.environment().remove("XDG_RUNTIME_DIR");
        try (AgentProcess client = new AgentProcess(pb.start())) {
            assertEquals(1, client.waitFor(30), client.output());
            assertTrue(client.output().contains("not this user's alone"), client.output());
        }
    }

    /** A socket directory given with --admin-socket is checked like the default one: others may not write to it. */
    @Test
    void aCustomAdminSocketDirectoryOthersCanWriteIsRefused(@TempDir Path tmp) throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        try (AgentProcess client = AgentProcess.client("--insecure-plaintext", "--server", "127.0.0.1:1", "--forward",
                "127.0.0.1:0=web", "--admin-socket", shared.resolve("roamtun.sock").toString())) {
            assertEquals(1, client.waitFor(30), client.output());
            assertTrue(client.output().contains("not this user's alone"), client.output());
        }
    }

    /**
     * A laptop may start the client-service before it is online: a server name that does not resolve yet is
     * waited for (it used to exit with "cannot resolve host"), and the session comes up once it resolves.
     * Names come from a hosts file of the test's own (the JVM's jdk.net.hosts.file), so no DNS is asked.
     */
    @Test
    void aServerNameThatDoesNotResolveYetIsWaitedFor(@TempDir Path tmp) throws Exception {
        Path hosts = Files.writeString(tmp.resolve("hosts"), "# nothing yet\n");
        try (Backends.Server echo = Backends.echo();
             AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0",
                     "--service", "echo=127.0.0.1:" + echo.address().getPort())) {
            String port = server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30);
            try (AgentProcess client = AgentProcess.startWith(List.of("-Xmx128m", "-Djdk.net.hosts.file=" + hosts,
                            "-Dsun.net.inetaddr.ttl=0", "-Dsun.net.inetaddr.negative.ttl=0"), "io.roamtun.client.ClientServiceMain",
                    "--insecure-plaintext", "--server", "roamtun-server.test:" + port, "--forward", "127.0.0.1:0=echo",
                    "--prefer", "lo", "--admin-socket", tmp.resolve("admin.sock").toString())) {
                client.await("cannot resolve roamtun-server.test now; the client-service keeps trying", 30);
                client.await("cannot resolve the server-service's name roamtun-server.test", 30);
                assertTrue(client.isAlive(), "still running:\n" + client.output());
                Files.writeString(hosts, "127.0.0.1 roamtun-server.test\n");
                client.await("server-service roamtun-server.test is at 127\\.0\\.0\\.1:" + port, 30);
                client.await("session \\w+ established via lo ", 30);
            }
        }
    }

    @Test
    void portAlreadyInUseIsAClearErrorNotAStackTrace() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:" + taken.getLocalPort(),
                     "--service", "a=127.0.0.1:1")) {
            assertEquals(1, server.waitFor(30));
            assertTrue(server.output().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), server.output());
            assertTrue(!server.output().contains("\tat "), "no stack trace:\n" + server.output());
            // It used to wait ten seconds for an event loop that had never started, then say so.
            assertTrue(!server.output().contains("did not stop"), "no wait for a loop that never ran:\n" + server.output());
        }
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             AgentProcess client = AgentProcess.client("--insecure-plaintext", "--server", "127.0.0.1:1",
                     "--forward", "127.0.0.1:" + taken.getLocalPort() + "=web")) {
            assertEquals(1, client.waitFor(30));
            assertTrue(client.output().contains(String.valueOf(taken.getLocalPort())), client.output());
            assertTrue(!client.output().contains("\tat ") && !client.output().contains("did not stop"), client.output());
        }
    }
}
