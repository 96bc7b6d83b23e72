package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.ClientTls;
import io.roamtun.client.Forward;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.server.ClientCredentials;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerDirectory;
import io.roamtun.server.ServerService;
import io.roamtun.server.ServerServiceMain;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The tunnel over TLS 1.3 with a pinned server certificate and client credentials, agents in this JVM. */
class TlsTunnelTest {
    private static final LinkSettings LINK = LinkSettings.forDeadAfter(Duration.ofSeconds(3), Duration.ofSeconds(10));

    private static ServerService server(ServerDirectory dir, TlsProviders.Mode mode, InetSocketAddress echo) throws Exception {
        return server(dir, mode, echo, InetAddress.getLoopbackAddress());
    }

    private static ServerService server(ServerDirectory dir, TlsProviders.Mode mode, InetSocketAddress echo, InetAddress bind)
            throws Exception {
        return ServerService.start(new ServerConfig(new InetSocketAddress(bind, 0),
                new ServiceDirectory(Map.of("echo", echo)), SessionSettings.defaults(), LINK, Duration.ofMinutes(1),
                ServerServiceMain.serverTls(dir, mode), dir.clients(), 100, 4, 100));
    }

    private static ClientService client(InetSocketAddress server, String fingerprint, TlsProviders.Mode mode, String credential)
            throws Exception {
        return ClientService.start(new ClientConfig(server,
                List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                SessionSettings.defaults(), LINK, null, ClientConfig.DEFAULT_POLL_INTERVAL, PathPolicy.any(), null,
                ClientTls.pinned(fingerprint, mode), credential));
    }

    private static void awaitConnected(ClientService client) throws Exception {
        Await.until(Duration.ofSeconds(15), "client connected over TLS", () -> client.isConnected());
    }

    private static void echo(InetSocketAddress address, int bytes) throws Exception {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(30_000);
            Payload sent = new Payload(bytes, bytes);
            byte[] all = new byte[bytes];
            sent.next(all);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(all);
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            byte[] back = in.readAllBytes();
            writer.join();
            assertEquals(bytes, back.length);
            assertTrue(java.util.Arrays.equals(all, back), "echo intact");
        }
    }

    private static ServerDirectory initDir(Path dir) throws Exception {
        ServerDirectory server = new ServerDirectory(dir);
        server.create(0, 30);
        return server;
    }

    @Test
    @Timeout(120)
    void tunnelRunsOverTls13WithConscryptAndWithTheJdkProvider(@TempDir Path tmp) throws Exception {
        ServerDirectory dir = initDir(tmp.resolve("server"));
        String credential = ClientCredentials.add(dir.clients().file(), "laptop", List.of());
        for (TlsProviders.Mode mode : new TlsProviders.Mode[] {TlsProviders.Mode.CONSCRYPT, TlsProviders.Mode.JDK}) {
            try (Backends.Server backend = Backends.echo();
                 ServerService server = server(dir, mode, backend.address());
                 ClientService client = client(server.address(), dir.fingerprint(), mode, credential)) {
                awaitConnected(client);
                String transport = client.transportDescription();
                assertTrue(transport.startsWith("TLSv1.3 "), transport);
                assertTrue(transport.contains(mode == TlsProviders.Mode.CONSCRYPT ? "Conscrypt" : "JDK"), transport);
                echo(client.forwardAddresses().get(0), 8 << 20);
            }
        }
    }

    /**
     * A session moves between paths over TLS with both providers: with Conscrypt each RESUME's proof is bound
     * to its TLS connection (both ends export the same value, or the server would refuse it); with the JDK
     * provider, which cannot export, neither side offers binding and the proof goes without. An app's
     * connection carries on across both moves.
     */
    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    @Timeout(120)
    void aSessionResumesOverTlsWhetherOrNotTheProviderBindsTheProof(TlsProviders.Mode mode, @TempDir Path tmp) throws Exception {
        ServerDirectory dir = initDir(tmp.resolve("server"));
        String credential = ClientCredentials.add(dir.clients().file(), "laptop", List.of());
        ScriptedInterfaces interfaces = new ScriptedInterfaces().put("wifi0", 2, true, "127.0.0.2").put("lte0", 3, true, "127.0.0.3");
        try (Backends.Server backend = Backends.echo();
             ServerService server = server(dir, mode, backend.address());
             ClientService client = ClientService.start(new ClientConfig(server.address(),
                     List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                     SessionSettings.defaults(), LINK, interfaces, ClientConfig.DEFAULT_POLL_INTERVAL, PathPolicy.any(), null,
                     ClientTls.pinned(dir.fingerprint(), mode), credential))) {
            awaitConnected(client);
            InetSocketAddress app = client.forwardAddresses().get(0);
            try (Socket s = new Socket(app.getAddress(), app.getPort())) {
                s.setSoTimeout(10_000);
                roundTrip(s, "before");
                client.switchTo("lte0").get(30, TimeUnit.SECONDS);
                roundTrip(s, "after one move");
                client.switchTo("wifi0").get(30, TimeUnit.SECONDS);
                roundTrip(s, "after two");
            }
            assertEquals(2, server.resumes(), "both moves were resumes of the one session");
            assertEquals(1, server.sessionsOpened());
            assertEquals(mode == TlsProviders.Mode.CONSCRYPT, io.roamtun.protocol.Capabilities.has(client.sessionCapabilities(),
                    io.roamtun.protocol.Capabilities.RESUME_CHANNEL_BINDING), "proofs bound to the TLS connection with Conscrypt only");
        }
    }

    private static void roundTrip(Socket s, String text) throws Exception {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        s.getOutputStream().write(bytes);
        assertEquals(text, new String(s.getInputStream().readNBytes(bytes.length), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    @Timeout(60)
    void anAppConnectingThroughARefusedClientIsResetNotLeftWaiting(@TempDir Path tmp) throws Exception {
        ServerDirectory dir = initDir(tmp.resolve("server"));
        ClientCredentials.add(dir.clients().file(), "laptop", List.of());
        try (Backends.Server backend = Backends.echo();
             ServerService server = server(dir, TlsProviders.Mode.AUTO, backend.address());
             ClientService client = client(server.address(), dir.fingerprint(), TlsProviders.Mode.AUTO, "laptop:not-the-secret")) {
            for (int app = 0; app < 2; app++) { // one may connect before the first refusal, one after it
                InetSocketAddress forward = client.forwardAddresses().get(0);
                try (Socket s = new Socket(forward.getAddress(), forward.getPort())) {
                    s.setSoTimeout(20_000); // the client backs off up to 5 s between attempts
                    assertThrows(java.net.SocketException.class, () -> { // (the reset may come before the write)
                        s.getOutputStream().write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        s.getInputStream().read();
                    }, "the app learns the connection failed (a reset), instead of waiting forever");
                }
            }
            assertFalse(client.isConnected());
        }
    }

    /** Waits until the client's first attempt has failed: it waits out a backoff before the next. */
    private static void awaitAFailedAttempt(ClientService client) throws Exception {
        Await.until(Duration.ofSeconds(15), "an attempt that failed (uplink waiting)", () -> client.status().contains("uplink: WAITING"));
    }

    @Test
    @Timeout(60)
    void aWrongFingerprintAnUnknownClientAndAWrongSecretAreRefused(@TempDir Path tmp) throws Exception {
        ServerDirectory dir = initDir(tmp.resolve("server"));
        String credential = ClientCredentials.add(dir.clients().file(), "laptop", List.of());
        String wrongPin = "sha256:" + "00".repeat(32);
        try (Backends.Server backend = Backends.echo();
             ServerService server = server(dir, TlsProviders.Mode.AUTO, backend.address())) {
            for (String[] attempt : new String[][] {{wrongPin, credential}, {dir.fingerprint(), "stranger:abc"},
                    {dir.fingerprint(), "laptop:not-the-secret"}}) {
                try (ClientService client = client(server.address(), attempt[0], TlsProviders.Mode.AUTO, attempt[1])) {
                    awaitAFailedAttempt(client);
                    assertFalse(client.isConnected(), "refused: " + attempt[0] + " " + attempt[1].split(":")[0]);
                }
            }
            assertEquals(0, server.sessionsOpened());
        }
    }

    @Test
    @Timeout(60)
    void anExpiredServerCertificateIsRefused(@TempDir Path tmp) throws Exception {
        ServerDirectory dir = new ServerDirectory(tmp.resolve("server"));
        dir.create(3, 1); // valid from three days ago for one day: expired
        String credential = ClientCredentials.add(dir.clients().file(), "laptop", List.of());
        try (Backends.Server backend = Backends.echo();
             ServerService server = server(dir, TlsProviders.Mode.AUTO, backend.address());
             ClientService client = client(server.address(), dir.fingerprint(), TlsProviders.Mode.AUTO, credential)) {
            awaitAFailedAttempt(client);
            assertFalse(client.isConnected());
            assertEquals(0, server.sessionsOpened());
        }
    }

    @Test
    @Timeout(120)
    void aUsersOwnCertificateWorksWithServerCaAndTheNameIsChecked(@TempDir Path tmp) throws Exception {
        String openssl = ExternalTools.require("openssl");
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Process gen = new ProcessBuilder(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=roamtun test",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        gen.getInputStream().readAllBytes();
        assertEquals(0, gen.waitFor());
        ServerDirectory dir = new ServerDirectory(tmp.resolve("server"));
        dir.importPem(cert, key);
        String credential = ClientCredentials.add(dir.clients().file(), "laptop", List.of());
        try (Backends.Server backend = Backends.echo();
             ServerService server = server(dir, TlsProviders.Mode.AUTO, backend.address())) {
            ClientConfig byName = new ClientConfig(server.address(),
                    List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                    SessionSettings.defaults(), LINK, null, ClientConfig.DEFAULT_POLL_INTERVAL, PathPolicy.any(), null,
                    ClientTls.ca(cert, TlsProviders.Mode.AUTO), credential);
            try (ClientService client = ClientService.start(byName)) {
                awaitConnected(client);
                echo(client.forwardAddresses().get(0), 1 << 20);
            }
        }
        // The same certificate served at 127.0.0.2, a name it does not carry: refused by the name check.
        try (Backends.Server backend = Backends.echo();
             ServerService elsewhere = server(dir, TlsProviders.Mode.AUTO, backend.address(), InetAddress.getByName("127.0.0.2"))) {
            ClientConfig wrongName = new ClientConfig(elsewhere.address(),
                    List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                    SessionSettings.defaults(), LINK, null, ClientConfig.DEFAULT_POLL_INTERVAL, PathPolicy.any(), null,
                    ClientTls.ca(cert, TlsProviders.Mode.AUTO), credential);
            try (ClientService client = ClientService.start(wrongName)) {
                awaitAFailedAttempt(client);
                assertFalse(client.isConnected(), "a certificate for 127.0.0.1 is refused for 127.0.0.2");
                assertEquals(0, elsewhere.sessionsOpened());
            }
        }
    }

    /**
     * A server certificate signed by the user's own CA, trusted through --server-ca, with either provider.
     * (Conscrypt calls TLS 1.3's authentication type "GENERIC", which the JDK's PKIX check refused for
     * every CA-signed certificate; a self-signed one is its own anchor and never got that far.)
     */
    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    @Timeout(60)
    void aCertificateSignedByTheUsersCaIsTrustedThroughServerCa(TlsProviders.Mode mode, @TempDir Path tmp) throws Exception {
        String openssl = ExternalTools.require("openssl");
        Path caKey = tmp.resolve("ca.key");
        Path ca = tmp.resolve("ca.pem");
        Path key = tmp.resolve("key.pem");
        Path csr = tmp.resolve("server.csr");
        Path cert = tmp.resolve("cert.pem");
        Path ext = Files.writeString(tmp.resolve("ext.cnf"),
                "subjectAltName=IP:127.0.0.1\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n");
        run(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=roamtun test CA");
        run(openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=roamtun test server");
        run(openssl, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        ServerDirectory dir = new ServerDirectory(tmp.resolve("server"));
        dir.importPem(cert, key);
        String credential = ClientCredentials.add(dir.clients().file(), "laptop", List.of());
        try (Backends.Server backend = Backends.echo();
             ServerService server = server(dir, mode, backend.address())) {
            ClientConfig config = new ClientConfig(server.address(),
                    List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                    SessionSettings.defaults(), LINK, null, ClientConfig.DEFAULT_POLL_INTERVAL, PathPolicy.any(), null,
                    ClientTls.ca(ca, mode), credential);
            try (ClientService client = ClientService.start(config)) {
                awaitConnected(client);
                echo(client.forwardAddresses().get(0), 1 << 20);
            }
        }
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }

    @Test
    @Timeout(60)
    void aClientMayOpenOnlyItsServices(@TempDir Path tmp) throws Exception {
        ServerDirectory dir = initDir(tmp.resolve("server"));
        String credential = ClientCredentials.add(dir.clients().file(), "narrow", List.of("other"));
        try (Backends.Server backend = Backends.echo();
             ServerService server = server(dir, TlsProviders.Mode.AUTO, backend.address());
             ClientService client = client(server.address(), dir.fingerprint(), TlsProviders.Mode.AUTO, credential)) {
            awaitConnected(client);
            InetSocketAddress forward = client.forwardAddresses().get(0);
            try (Socket s = new Socket(forward.getAddress(), forward.getPort())) {
                s.setSoTimeout(5000);
                // The refusal can reset the connection before the app's first write as well as after it.
                assertThrows(java.net.SocketException.class, () -> {
                    s.getOutputStream().write(1);
                    s.getInputStream().read();
                }, "'echo' is not among this client's services: the app's connection is reset");
            }
        }
    }

    @Test
    @Timeout(60)
    void aChangeOfAClientsServicesAppliesToItsOpenSessionAtOnce(@TempDir Path tmp) throws Exception {
        ServerDirectory dir = initDir(tmp.resolve("server"));
        String credential = ClientCredentials.add(dir.clients().file(), "laptop", List.of("echo"));
        try (Backends.Server backend = Backends.echo();
             ServerService server = server(dir, TlsProviders.Mode.AUTO, backend.address());
             ClientService client = client(server.address(), dir.fingerprint(), TlsProviders.Mode.AUTO, credential)) {
            awaitConnected(client);
            String session = client.sessionId();
            InetSocketAddress forward = client.forwardAddresses().get(0);
            echo(forward, 1024);
            // The admin narrows the client's services by hand (the secret stays): 'echo' is no longer allowed.
            Path file = dir.clients().file();
            String text = java.nio.file.Files.readString(file).replace("client.laptop.services=echo", "client.laptop.services=other");
            java.nio.file.Files.writeString(file, text);
            Await.until(Duration.ofSeconds(10), "the narrowed services to apply to the open session", () -> {
                try (Socket s = new Socket(forward.getAddress(), forward.getPort())) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(1);
                    return s.getInputStream().read() == -1;
                } catch (java.net.SocketException reset) {
                    return true; // refused (OPEN_FAIL, the app's connection reset): the new list applies
                }
            });
            assertEquals(session, client.sessionId(), "the session itself goes on");
        }
    }
}
