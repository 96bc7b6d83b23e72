package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up a user does, as processes: 'server-service init', the server with --dir, clients with the
 * printed flags. A wrong fingerprint, an unknown client, a revoked client and an expired certificate are
 * each refused with a clear line on both sides.
 */
class TlsRefusalMessagesTest {
    private static final Pattern FLAGS = Pattern.compile("--server-fingerprint (sha256:[0-9a-f]{64}) --credential (\\S+)");

    private static String[] init(Path dir, String... extra) throws Exception {
        String[] args = new String[3 + extra.length];
        args[0] = "init";
        args[1] = "--dir";
        args[2] = dir.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        try (AgentProcess init = AgentProcess.server(args)) {
            assertEquals(0, init.waitFor(60), init.output());
            String[] lines = init.output().strip().split("\n");
            Matcher m = FLAGS.matcher(lines[lines.length - 1]);
            assertTrue(m.find(), "the last line gives the laptop's flags:\n" + init.output());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("clients.properties"))), "secret files are 0600");
            return new String[] {m.group(1), m.group(2)};
        }
    }

    /** Runs a server-service set-up command to its end; it must succeed; returns what it printed. */
    private static String serverCommand(String... args) throws Exception {
        try (AgentProcess command = AgentProcess.server(args)) {
            assertEquals(0, command.waitFor(30), command.output());
            return command.output();
        }
    }

    private static AgentProcess server(Path dir) throws Exception {
        AgentProcess server = AgentProcess.server("--dir", dir.toString(), "--listen", "127.0.0.1:0", "--service", "echo=127.0.0.1:1");
        return server;
    }

    private static String port(AgentProcess server) throws Exception {
        return server.await("listening on 127\\.0\\.0\\.1:(\\d+) .*TLS 1\\.3", 30);
    }

    private static AgentProcess client(String port, String fingerprint, Path credentialFile) throws Exception {
        return AgentProcess.client("--server", "127.0.0.1:" + port, "--forward", "127.0.0.1:0=echo",
                "--server-fingerprint", fingerprint, "--credential-file", credentialFile.toString(),
                "--admin-socket", credentialFile.resolveSibling("admin-" + System.nanoTime() + ".sock").toString());
    }

    @Test
    @Timeout(180)
    void refusalsAreClearOnBothSides(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("server");
        String[] flags = init(dir, "--client", "laptop");
        Path credential = tmp.resolve("credential");
        Files.writeString(credential, flags[1] + "\n");
        try (AgentProcess server = server(dir)) {
            String port = port(server);
            // The right flags work.
            try (AgentProcess good = client(port, flags[0], credential)) {
                good.await("session \\w+ established via .*TLSv1\\.3", 30);
            }
            server.await("session \\w+ opened from .* for client laptop", 10);
            // A wrong fingerprint: the client names both fingerprints, the server sees the handshake fail.
            try (AgentProcess wrongPin = client(port, "sha256:" + "ab".repeat(32), credential)) {
                wrongPin.await("does not match the pinned --server-fingerprint", 30);
            }
            server.await("closed before its handshake completed", 10);
            // An unknown client.
            Path stranger = tmp.resolve("stranger");
            Files.writeString(stranger, "stranger:" + flags[1].split(":")[1]);
            try (AgentProcess unknown = client(port, flags[0], stranger)) {
                unknown.await("server-service refused this client: .*unknown client, revoked client, or wrong secret", 30);
            }
            server.await("credential of client 'stranger' refused: no such client", 10); // the operator learns which
            // A new secret for a connected client: the session opened with the old one ends (that secret may
            // have leaked), and the old secret is refused from then on.
            try (AgentProcess connected = client(port, flags[0], credential)) {
                connected.await("session \\w+ established via .*TLSv1\\.3", 30);
                String replaced = serverCommand("client", "add", "laptop", "--replace", "--dir", dir.toString());
                Files.writeString(credential, replaced.strip().replace("--credential ", "") + "\n");
                server.await("client laptop has a new secret: ending its session", 10);
                connected.await("refused this client: .*unknown client, revoked client, or wrong secret", 30);
                server.await("credential of client 'laptop' refused: wrong secret", 10);
            }
            // Revoked while the server runs and the client is connected: its open session ends (it kept working
            // until the client reconnected, before), and it is refused from then on.
            try (AgentProcess connected = client(port, flags[0], credential)) {
                connected.await("session \\w+ established via .*TLSv1\\.3", 30);
                serverCommand("client", "remove", "laptop", "--dir", dir.toString());
                server.await("client laptop was revoked: ending its session", 10);
                connected.await("refused this client: .*unknown client, revoked client, or wrong secret", 30);
            }
            server.await("credential of client 'laptop' refused: no such client", 10);
        }
    }

    /**
     * One agent with TLS, the other with --insecure-plaintext: the TLS side says the peer does not speak TLS,
     * and a plaintext server says its peer speaks TLS (they used to report a TLS library's record error and a
     * bare "closed by peer"). A plaintext client only sees the server close: a TLS server sends nothing first.
     */
    @Test
    @Timeout(120)
    void aTlsAndAPlaintextAgentSayTheyDoNotMatch(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("server");
        String[] flags = init(dir, "--client", "laptop");
        Path credential = tmp.resolve("credential");
        Files.writeString(credential, flags[1] + "\n");
        try (AgentProcess plain = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:0", "--service", "echo=127.0.0.1:1")) {
            String port = plain.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30);
            try (AgentProcess tls = client(port, flags[0], credential)) {
                tls.await("the peer does not speak TLS \\(is it running with --insecure-plaintext", 30);
                plain.await("the peer speaks TLS, and this side runs with --insecure-plaintext", 10);
            }
        }
        try (AgentProcess server = server(dir)) {
            String port = port(server);
            try (AgentProcess plain = AgentProcess.client("--insecure-plaintext", "--server", "127.0.0.1:" + port,
                    "--forward", "127.0.0.1:0=echo", "--admin-socket", tmp.resolve("plain.sock").toString())) {
                server.await("the peer does not speak TLS \\(is it running with --insecure-plaintext", 30);
            }
        }
    }

    @Test
    @Timeout(120)
    void anExpiredCertificateIsRefusedWithAClearMessage(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("server");
        String[] flags = init(dir, "--client", "laptop", "--start-days-ago", "3", "--validity-days", "1");
        Path credential = tmp.resolve("credential");
        Files.writeString(credential, flags[1]);
        try (AgentProcess server = server(dir)) {
            server.await("the server certificate is not valid now", 30);
            String port = port(server);
            try (AgentProcess client = client(port, flags[0], credential)) {
                client.await("the server certificate expired on", 30);
            }
            server.await("closed before its handshake completed", 10);
        }
    }
}
