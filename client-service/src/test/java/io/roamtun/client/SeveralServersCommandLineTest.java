package io.roamtun.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.config.AgentCommandLine;
import io.roamtun.engine.text.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One client-service, several server-services: the flags and config-file groups that name them, and their mistakes. */
class SeveralServersCommandLineTest {
    private static final String FP_A = "sha256:" + "a".repeat(64);
    private static final String FP_B = "sha256:" + "b".repeat(64);

    private static ClientConfig configure(String... args) throws UsageException {
        AgentCommandLine cli = ClientServiceMain.commandLine();
        cli.parse(args);
        return ClientServiceMain.configure(cli);
    }

    private static String refusal(String... args) {
        return assertThrows(UsageException.class, () -> configure(args)).getMessage();
    }

    @Test
    void eachServerHasItsOwnTrustCredentialForwardsAndExposes(@TempDir Path dir) throws Exception {
        Path officeCredential = dir.resolve("office.credential");
        Files.writeString(officeCredential, "laptop:office-secret\n");
        ClientConfig config = configure("--server", "home=127.0.0.1:7001", "--server", "office=127.0.0.1:7002",
                "--server-fingerprint", "home=" + FP_A, "--server-fingerprint", "office=" + FP_B,
                "--credential", "home=laptop:home=secret", "--credential-file", "office=" + officeCredential,
                "--forward", "5432=home/db", "--forward", "8443=office/web", "--forward-udp", "5353=office/dns",
                "--expose", "home/8080=3000", "--expose", "office/8080=3001");
        assertEquals(List.of("home", "office"), config.upstreams().stream().map(Upstream::name).toList());
        assertEquals("laptop:home=secret", config.upstreams().get(0).credential()); // '=' in the secret: the prefix names the server
        assertEquals("laptop:office-secret", config.upstreams().get(1).credential());
        assertEquals(7002, config.upstreams().get(1).address().getPort());

        ClientConfig home = config.forUpstream(config.upstreams().get(0));
        assertEquals(List.of("db"), home.forwards().stream().map(Forward::service).toList());
        assertEquals(List.of(3000), home.exposes().stream().map(e -> e.target().getPort()).toList());
        assertTrue(home.udpForwards().isEmpty());
        ClientConfig office = config.forUpstream(config.upstreams().get(1));
        assertEquals(List.of("web"), office.forwards().stream().map(Forward::service).toList());
        assertEquals(List.of("dns"), office.udpForwards().stream().map(UdpForward::service).toList());
        assertEquals(List.of(3001), office.exposes().stream().map(e -> e.target().getPort()).toList());
        assertEquals("127.0.0.1:8443=office/web", office.forwards().get(0).toString());
    }

    @Test
    void aValueWithoutServerNameIsForEveryServerNotNamed(@TempDir Path dir) throws Exception {
        ClientConfig config = configure("--server", "a=127.0.0.1:7001", "--server", "b=127.0.0.1:7002",
                "--server-fingerprint", FP_A, "--credential", "laptop:x", "--forward", "1=a/x", "--forward", "2=b/x");
        assertEquals(List.of("laptop:x", "laptop:x"), config.upstreams().stream().map(Upstream::credential).toList());
        assertTrue(config.upstreams().stream().noneMatch(u -> u.transports().describe().equals("plaintext")));
        // b's own trust replaces the shared one (a CA file, here missing): it is read, and only for b
        String missing = dir.resolve("missing-ca.pem").toString();
        assertEquals("--server-ca: cannot read " + missing + ": no such file", refusal("--server", "a=127.0.0.1:7001",
                "--server", "b=127.0.0.1:7002", "--server-fingerprint", FP_A, "--server-ca", "b=" + missing,
                "--forward", "1=a/x", "--forward", "2=b/x").replaceAll("(?i)no such file.*", "no such file"));
    }

    @Test
    void oneUnnamedServerWorksAsBefore() throws Exception {
        ClientConfig config = configure("--insecure-plaintext", "--server", "127.0.0.1:7001", "--forward", "5432=db",
                "--expose", "8080=3000");
        assertEquals("", config.upstream().name());
        ClientConfig only = config.forUpstream(config.upstream());
        assertEquals(1, only.forwards().size());
        assertEquals(1, only.exposes().size());
    }

    @Test
    void theConfigFileHoldsAGroupPerServer(@TempDir Path dir) throws Exception {
        Path credential = dir.resolve("home.credential");
        Files.writeString(credential, "laptop:s3cret\n");
        Path file = dir.resolve("client.properties");
        Files.writeString(file, String.join("\n", "server.home = 127.0.0.1:7001", "server.home.fingerprint = " + FP_A,
                "server.home.credential-file = " + credential, "server.office = 127.0.0.1:7002",
                "server.office.fingerprint = " + FP_B, "forward = 5432=home/db, 8443=office/web", ""));
        ClientConfig config = configure("--config", file.toString());
        assertEquals(List.of("home", "office"), config.upstreams().stream().map(Upstream::name).toList());
        assertEquals("laptop:s3cret", config.upstreams().get(0).credential());
        assertEquals("", config.upstreams().get(1).credential());
        assertEquals(2, config.forwards().size());
    }

    @Test
    void aServerOnThisMachineIsReachedWithoutRoamingWhileAnotherRoams() throws Exception {
        ClientConfig config = configure("--insecure-plaintext", "--server", "local=127.0.0.1:7001", "--server", "far=198.51.100.7:7000",
                "--forward", "1=local/x", "--forward", "2=far/x");
        assertTrue(config.interfaces() != null, "the remote server makes the client roam");
        assertEquals(null, config.forUpstream(config.upstreams().get(0)).interfaces());
        assertTrue(config.forUpstream(config.upstreams().get(1)).interfaces() != null);
        ClientConfig preferring = configure("--insecure-plaintext", "--server", "local=127.0.0.1:7001", "--server", "far=198.51.100.7:7000",
                "--forward", "1=local/x", "--forward", "2=far/x", "--prefer", "wl*");
        assertTrue(preferring.forUpstream(preferring.upstreams().get(0)).interfaces() != null, "--prefer makes every uplink roam");
    }

    @Test
    void aForwardOrExposeNamingNoServerIsRefusedByTheConfigurationItself() throws Exception {
        ClientConfig config = configure("--insecure-plaintext", "--server", "a=127.0.0.1:7001", "--forward", "1=a/x");
        java.net.InetSocketAddress any = new java.net.InetSocketAddress("127.0.0.1", 0);
        assertThrows(IllegalArgumentException.class, () -> new ClientConfig(config.upstreams(), List.of(new Forward(any, "b", "x")),
                config.session(), config.link(), null, config.pollInterval(), config.paths(), null, List.of(), null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> config.forwardingUdp(List.of(new UdpForward(any, "b", "dns"))));
        assertThrows(IllegalArgumentException.class, () -> config.exposing(List.of(new Expose(8080, any, false, "b"))));
    }

    @Test
    void fileValuesAreReadWholeAndFlagsReplaceThemServerByServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, String.join("\n", "server = a=127.0.0.1:7001, b=127.0.0.1:7002", "server-fingerprint = " + FP_A,
                "credential = me:se,cret", "forward = 1=a/x, 2=b/x", ""));
        ClientConfig config = configure("--config", file.toString(), "--credential", "b=you:other");
        assertEquals(List.of("me:se,cret", "you:other"), config.upstreams().stream().map(Upstream::credential).toList());
        assertTrue(config.upstreams().stream().noneMatch(u -> u.transports().describe().equals("plaintext")), "the file's fingerprint stays for both");
    }

    @Test
    void mistakesAreNamed(@TempDir Path dir) throws Exception {
        assertTrue(refusal("--insecure-plaintext", "--server", "127.0.0.1:1", "--server", "127.0.0.1:2", "--forward", "1=x")
                .startsWith("--server given twice"));
        assertTrue(refusal("--insecure-plaintext", "--server", "127.0.0.1:1", "--server", "b=127.0.0.1:2", "--forward", "1=b/x")
                .contains("with several servers, name each one"));
        assertTrue(refusal("--insecure-plaintext", "--server", "a=127.0.0.1:1", "--server", "a=127.0.0.1:2", "--forward", "1=a/x")
                .contains("a is given twice"));
        assertTrue(refusal("--insecure-plaintext", "--server", "a=127.0.0.1:1", "--server", "b=127.0.0.1:2", "--forward", "1=x")
                .contains("--forward 127.0.0.1:1=x: say which server, SERVER/... (servers: a, b)"));
        assertTrue(refusal("--insecure-plaintext", "--server", "a=127.0.0.1:1", "--server", "b=127.0.0.1:2", "--forward", "1=c/x")
                .contains("no --server named c (servers: a, b)"));
        assertTrue(refusal("--insecure-plaintext", "--server", "127.0.0.1:1", "--forward", "1=c/x")
                .contains("no --server named c (name it: --server c=HOST:PORT)"));
        assertTrue(refusal("--insecure-plaintext", "--server", "a=127.0.0.1:1", "--server", "b=127.0.0.1:2", "--forward", "1=a/x",
                "--expose", "8080=3000").contains("--expose 8080: say which server"));
        assertTrue(refusal("--server", "a=127.0.0.1:1", "--server", "b=127.0.0.1:2", "--forward", "1=a/x",
                "--server-fingerprint", "a=" + FP_A).startsWith("say how to trust server b: --server-fingerprint b=sha256:HEX"));
        assertTrue(refusal("--server", "a=127.0.0.1:1", "--forward", "1=a/x", "--server-fingerprint", "c=" + FP_A)
                .contains("--server-fingerprint: no --server named c"));
        assertTrue(refusal("--server", "a=127.0.0.1:1", "--server", "b=127.0.0.1:2", "--forward", "1=a/x",
                "--server-fingerprint", "a=" + FP_A, "--server-fingerprint", "a=" + FP_B).contains("given twice for server a"));
        assertTrue(refusal("--server", "a!=127.0.0.1:1", "--forward", "1=x").contains("'a!' is not a server name"));
        assertTrue(refusal("--server", "a=nowhere", "--forward", "1=x").contains("--server a: "));
        assertTrue(refusal("--insecure-plaintext", "--server", "home=127.0.0.1:1", "--forward", "1=x", "--expose", "8080=1",
                "--expose", "home/8080=2").contains("--expose: port 8080 is given twice"));
        assertTrue(refusal("--server", "a=127.0.0.1:1", "--server", "b=127.0.0.1:2", "--forward", "1=a/x",
                "--server-fingerprint", "a=" + FP_A, "--server-fingerprint", "b=sha256:00").contains("64 hex digits (server-service init prints it) for server b"));
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "insecure-plaintext = true\nserver.a = 127.0.0.1:1\nserver.b.fingerprint = " + FP_A + "\nforward = 1=a/x\n");
        assertTrue(refusal("--config", file.toString()).contains("server.b.fingerprint: no server b"));
        Files.writeString(file, "insecure-plaintext = true\nserver.a = 127.0.0.1:1\nserver.a.fingerprnt = " + FP_A + "\nforward = 1=a/x\n");
        assertTrue(refusal("--config", file.toString()).contains("unknown keys [server.a.fingerprnt]"));
    }
}
