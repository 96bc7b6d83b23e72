package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.Expose;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.server.PortRanges;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import io.roamtun.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reverse tunnels (--expose) with both agents in this JVM: a backend-side app connects to a port the server
 * listens on for the client and reaches an echo app on the client's side, through a fault proxy that can
 * cut the client off. The listener outlives a suspension, closes with its session and comes back with the
 * client's next one; ports the server does not allow, or that are taken, are refused on both sides.
 */
class ReverseTunnelTest {
    private static final LinkSettings LINK = LinkSettings.forDeadAfter(Duration.ofMillis(900), Duration.ofSeconds(5));
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private ServerService server(String allowExpose, Duration sessionTimeout) throws Exception {
        return started(ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), LINK, sessionTimeout)
                .allowingExpose(PortRanges.parse("test", allowExpose))));
    }

    private ClientService client(InetSocketAddress server, Expose... exposes) throws Exception {
        ClientConfig config = new ClientConfig(server, List.of(), SessionSettings.defaults(), LINK, null, Duration.ofMillis(100),
                PathPolicy.any(), null).exposing(List.of(exposes));
        ClientService client = started(ClientService.start(config));
        Await.until(Duration.ofSeconds(10), "connected", client::isConnected);
        return client;
    }

    /** True when nothing listens on loopback {@code port} (a connect is refused). */
    private static boolean refuses(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(30_000);
        return s;
    }

    /** Sends {@code size} pseudo-random bytes to the echo app through {@code port}; the SHA-256 of what came back. */
    private static void echoesIdentically(int port, long size) throws Exception {
        try (Socket app = connect(port)) {
            Payload sent = new Payload(port, size);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = app.getOutputStream();
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = sent.next(buf)) > 0) {
                        out.write(buf, 0, n);
                    }
                    app.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            MessageDigest got = Payload.sha256();
            InputStream in = app.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                got.update(buf, 0, n);
                total += n;
            }
            writer.get(60, TimeUnit.SECONDS);
            assertEquals(size, total, "bytes back");
            assertEquals(sent.sha256Hex(), HexFormat.of().formatHex(got.digest()), "the same bytes, in order");
        }
    }

    @Test
    @Timeout(120)
    void aBackendAppReachesTheAppOnTheClientSideThroughTheExposedPort() throws Exception {
        Backends.Server echo = started(Backends.echo());
        int port = freePort();
        ServerService server = server(String.valueOf(port), Duration.ofMinutes(1));
        ClientService client = client(server.address(), new Expose(port, echo.address()));
        Await.until(Duration.ofSeconds(10), "the client told where the server listens",
                () -> client.status().contains(port + "=" + "127.0.0.1:" + echo.address().getPort() + ": server listens on 127.0.0.1:" + port));
        echoesIdentically(port, 16L << 20);
        echoesIdentically(port, 1);
        assertTrue(server.status().contains("exposed 127.0.0.1:" + port + " -> session"), server.status());
        assertTrue(server.status().contains("(2 connections)"), server.status());
    }

    @Test
    @Timeout(120)
    void aConnectionMadeWhileTheClientIsAwayIsCarriedOnceItResumes() throws Exception {
        Backends.Server echo = started(Backends.echo());
        int port = freePort();
        ServerService server = server(String.valueOf(port), Duration.ofMinutes(1));
        FaultProxy proxy = started(new FaultProxy(server.address()));
        ClientService client = client(proxy.address(), new Expose(port, echo.address()));
        proxy.refuseNew(true);
        proxy.severAll();
        Await.until(Duration.ofSeconds(10), "the server's session suspended", () -> server.status().contains("SUSPENDED"));
        assertEquals(0, server.resumes());
        try (Socket app = connect(port)) { // the server still listens for the client that is away
            app.getOutputStream().write("while away".getBytes());
            Await.until(Duration.ofSeconds(10), "the connection accepted, its stream waiting in the session",
                    () -> server.streamCount() == 1);
            assertEquals(0, server.resumes(), "still away when the stream was made");
            proxy.refuseNew(false);
            assertEquals("while away", new String(app.getInputStream().readNBytes(10)));
            assertEquals(1, server.resumes(), "carried by the resumed session, not a new one");
            assertEquals(1, server.sessionsOpened());
        }
        assertTrue(client.isConnected());
    }

    @Test
    @Timeout(120)
    void whenTheSessionEndsThePortClosesAndTheClientsNextSessionListensAgain() throws Exception {
        Backends.Server echo = started(Backends.echo());
        int port = freePort();
        ServerService server = server(String.valueOf(port), Duration.ofMinutes(1));
        ClientService first = client(server.address(), new Expose(port, echo.address()));
        echoesIdentically(port, 4096);
        first.close(); // ends its session: the server's listener closes with it
        Await.until(Duration.ofSeconds(10), "the port closed with the session", () -> refuses(port));
        client(server.address(), new Expose(port, echo.address()));
        Await.until(Duration.ofSeconds(10), "listening again", () -> server.status().contains("exposed 127.0.0.1:" + port));
        echoesIdentically(port, 1 << 20);
        assertEquals(2, server.sessionsOpened());
    }

    @Test
    @Timeout(120)
    void portsNotAllowedOrTakenAreRefusedOnBothSidesAndTheOthersServed() throws Exception {
        Backends.Server echo = started(Backends.echo());
        int allowed = freePort();
        int notAllowed = freePort();
        int held = freePort();
        try (ServerSocket otherProgram = new ServerSocket(held, 1, InetAddress.getLoopbackAddress())) {
            ServerService server = server(allowed + "," + held, Duration.ofMinutes(1));
            ClientService client = client(server.address(), new Expose(allowed, echo.address()),
                    new Expose(notAllowed, echo.address()), new Expose(held, echo.address()));
            Await.until(Duration.ofSeconds(10), "the answers in the client's status",
                    () -> client.status().contains(": server listens on 127.0.0.1:" + allowed));
            String status = client.status();
            assertTrue(status.contains(notAllowed + "=127.0.0.1:" + echo.address().getPort()
                    + ": refused: the server does not allow this client that port"), status);
            assertTrue(status.contains(held + "=127.0.0.1:" + echo.address().getPort()
                    + ": refused: the port is in use on the server"), status);
            echoesIdentically(allowed, 1 << 20);

            // A second client asking for the first one's port: refused, and the first keeps it.
            ClientService second = client(server.address(), new Expose(allowed, echo.address()));
            Await.until(Duration.ofSeconds(10), "the second client's answer",
                    () -> second.status().contains(allowed + "=127.0.0.1:" + echo.address().getPort() + ": refused: the port is in use"));
            assertFalse(server.status().contains("exposed 127.0.0.1:" + notAllowed), server.status());
            echoesIdentically(allowed, 1 << 20);
        }
    }
    /** An app on the client's side that says who it is and closes. */
    private Backends.Server says(String name) throws IOException {
        return started(new Backends.Server(connection -> {
            connection.getOutputStream().write(name.getBytes());
            connection.shutdownOutput();
        }));
    }

    private static String readFrom(InetAddress address, int port) throws IOException {
        try (Socket s = new Socket(address, port)) {
            s.setSoTimeout(30_000);
            return new String(s.getInputStream().readAllBytes());
        }
    }

    /**
     * Several clients expose one port: each client's listener gets an address of its own, from the pool or
     * fixed in the clients file, and the server's status says who holds which.
     */
    @Test
    @Timeout(120)
    void clientsExposingOnePortEachGetAnAddressOfTheirOwn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        int port = freePort();
        java.nio.file.Path file = dir.resolve("clients.properties");
        String desk = io.roamtun.server.ClientCredentials.add(file, "desk", List.of(), PortRanges.none());
        String laptop = io.roamtun.server.ClientCredentials.add(file, "laptop", List.of(), PortRanges.none());
        String phone = io.roamtun.server.ClientCredentials.add(file, "phone", List.of(), PortRanges.none(),
                InetAddress.getByName("127.77.1.5"));
        ServerService server = started(ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), LINK, Duration.ofMinutes(1),
                io.roamtun.engine.transport.TransportFactory.plaintext(), new io.roamtun.server.ClientCredentials(file), 100, 4, 100)
                .allowingExpose(new io.roamtun.server.ExposePolicy(PortRanges.parse("test", String.valueOf(port)),
                        io.roamtun.engine.text.Cidr.parse("test", "127.77.0.0/24")))));
        for (String[] c : new String[][] {{desk, "desk"}, {laptop, "laptop"}, {phone, "phone"}}) {
            Backends.Server app = says("I am " + c[1]);
            ClientConfig config = new ClientConfig(server.address(), List.of(), SessionSettings.defaults(), LINK, null,
                    Duration.ofMillis(100), PathPolicy.any(), null, io.roamtun.engine.transport.TransportFactory.plaintext(), c[0])
                    .exposing(List.of(new Expose(port, app.address())));
            ClientService client = started(ClientService.start(config));
            Await.until(Duration.ofSeconds(10), c[1] + " told where the server listens", () -> client.status().contains(": server listens on"));
        }
        assertEquals("I am desk", readFrom(InetAddress.getByName("127.77.0.1"), port));
        assertEquals("I am laptop", readFrom(InetAddress.getByName("127.77.0.2"), port));
        assertEquals("I am phone", readFrom(InetAddress.getByName("127.77.1.5"), port), "its fixed address");
        String status = server.status();
        assertTrue(status.contains("exposed 127.77.0.1:" + port + " -> client desk session"), status);
        assertTrue(status.contains("exposed 127.77.0.2:" + port + " -> client laptop session"), status);
        assertTrue(status.contains("exposed 127.77.1.5:" + port + " -> client phone session"), status);
    }
    /**
     * Connections to an exposed port hold descriptors on the server as backend streams do: they count against
     * the client's share of the stream quota (here 2), so a flood of them cannot starve the server's other
     * clients; one over it is closed at once, and a place freed is taken again.
     */
    @Test
    @Timeout(120)
    void connectionsToAnExposedPortCountAgainstTheClientsStreamQuota() throws Exception {
        Backends.Server echo = started(Backends.echo());
        int port = freePort();
        ServerService server = started(ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), LINK, Duration.ofMinutes(1),
                io.roamtun.engine.transport.TransportFactory.plaintext(), null, 100, 4, 100, 8, 2)
                .allowingExpose(PortRanges.parse("test", String.valueOf(port)))));
        client(server.address(), new Expose(port, echo.address()));
        try (Socket first = connect(port); Socket second = connect(port)) {
            for (Socket s : new Socket[] {first, second}) {
                s.getOutputStream().write('x');
                assertEquals('x', s.getInputStream().read());
            }
            try (Socket third = connect(port)) {
                third.getOutputStream().write('x');
                int got;
                try {
                    got = third.getInputStream().read();
                } catch (IOException reset) {
                    got = -1;
                }
                assertEquals(-1, got, "the third is closed: the client's two places are taken");
            }
            first.close();
            Await.until(Duration.ofSeconds(10), "the first's place given back", () -> server.streamCount() == 1);
            try (Socket again = connect(port)) {
                again.getOutputStream().write('y');
                assertEquals('y', again.getInputStream().read());
            }
        }
    }
    /** A reload that no longer allows a port closes the listener that holds it; the client's other port stays. */
    @Test
    @Timeout(120)
    void aPortNoLongerAllowedStopsListeningAtTheReload() throws Exception {
        Backends.Server echo = started(Backends.echo());
        int kept = freePort();
        int dropped = freePort();
        ServerConfig both = new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new ServiceDirectory(Map.of()),
                SessionSettings.defaults(), LINK, Duration.ofMinutes(1)).allowingExpose(PortRanges.parse("test", kept + "," + dropped));
        ServerService server = started(ServerService.start(both));
        client(server.address(), new Expose(kept, echo.address()), new Expose(dropped, echo.address()));
        Await.until(Duration.ofSeconds(10), "both ports listening", () -> server.status().contains("127.0.0.1:" + dropped + " -> "));
        echoesIdentically(dropped, 1024);
        server.reload(both.allowingExpose(PortRanges.parse("test", String.valueOf(kept))));
        Await.until(Duration.ofSeconds(10), "the port no longer allowed closed", () -> refuses(dropped));
        echoesIdentically(kept, 1024);
    }
}
