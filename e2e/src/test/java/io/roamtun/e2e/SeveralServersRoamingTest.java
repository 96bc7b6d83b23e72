package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.Forward;
import io.roamtun.client.Upstream;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.transport.TransportFactory;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import io.roamtun.testing.Await;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One client-service with an uplink to each of two server-services over one interface table (wifi0 =
 * 127.0.0.2, preferred; lte0 = 127.0.0.3): 'switch lte0' moves both uplinks, the interface going away
 * moves both back, each uplink on its own, and a stream through each server carries every byte across.
 */
class SeveralServersRoamingTest {
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

    private InetSocketAddress server(String service, Backends.Server echo) throws Exception {
        ServerService server = started(ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of(service, echo.address())), SessionSettings.defaults(), LINK, Duration.ofMinutes(1))));
        return server.address();
    }

    @Test
    @Timeout(60)
    void aSwitchAndALostInterfaceMoveEveryUplink() throws Exception {
        Backends.Server echo = started(Backends.echo());
        ScriptedInterfaces interfaces = new ScriptedInterfaces().put("wifi0", 2, true, "127.0.0.2").put("lte0", 3, true, "127.0.0.3");
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<Upstream> servers = List.of(new Upstream("a", server("echo-a", echo), TransportFactory.plaintext(), ""),
                new Upstream("b", server("echo-b", echo), TransportFactory.plaintext(), ""));
        ClientConfig config = new ClientConfig(servers, List.of(new Forward(any, "a", "echo-a"), new Forward(any, "b", "echo-b")),
                SessionSettings.defaults(), LINK, interfaces, Duration.ofMillis(100), new PathPolicy(List.of("wifi0", "lte0"), List.of()),
                null, List.of(), null, List.of());
        ClientService client = started(ClientService.start(config));
        awaitStatus(client, "wifi0", "[in use by a, b]");
        List<InetSocketAddress> forwards = client.forwardAddresses();
        try (Socket viaA = new Socket(forwards.get(0).getAddress(), forwards.get(0).getPort());
             Socket viaB = new Socket(forwards.get(1).getAddress(), forwards.get(1).getPort())) {
            Random random = new Random(5);
            echoes(viaA, random);
            echoes(viaB, random);

            String moved = client.switchTo("lte0").get(20, TimeUnit.SECONDS);
            assertTrue(moved.contains("a: switched to lte0") && moved.contains("b: switched to lte0"), moved);
            awaitStatus(client, "lte0", "[in use by a, b]");
            echoes(viaA, random);
            echoes(viaB, random);

            interfaces.put("lte0", 3, false, "127.0.0.3"); // lte0 goes away: both uplinks leave it for wifi0
            awaitStatus(client, "wifi0", "[in use by a, b]");
            echoes(viaA, random);
            echoes(viaB, random);
            String status = client.status();
            assertEquals(2, status.split("handovers \\(2\\)", -1).length - 1, "two handovers per server:\n" + status);

            // A reload cannot add servers: a forward to one not running is refused, and nothing changes.
            List<Upstream> more = new java.util.ArrayList<>(servers);
            more.add(new Upstream("c", servers.get(0).address(), TransportFactory.plaintext(), ""));
            String refused = client.reload(new ClientConfig(more, List.of(new Forward(any, "a", "echo-a"), new Forward(any, "c", "echo-a")),
                    SessionSettings.defaults(), LINK, interfaces, Duration.ofMillis(100), config.paths(), null, List.of(), null, List.of()));
            assertTrue(refused.startsWith("error: reload refused") && refused.contains("names server c"), refused);
            assertEquals(forwards, client.forwardAddresses(), "no forward added or removed");
            echoes(viaB, random);
        }
    }

    private static void awaitStatus(ClientService client, String name, String marker) throws Exception {
        Await.until(Duration.ofSeconds(20), () -> client.status().lines().anyMatch(l -> l.contains(name) && l.contains(marker)),
                () -> name + " is not " + marker + ":\n" + client.status());
    }

    /** 256 KiB of random bytes sent and read back whole. */
    private static void echoes(Socket socket, Random random) throws Exception {
        socket.setSoTimeout(20_000);
        byte[] sent = new byte[64 * 1024];
        InputStream in = socket.getInputStream();
        for (int i = 0; i < 4; i++) {
            random.nextBytes(sent);
            socket.getOutputStream().write(sent);
            assertArrayEquals(sent, in.readNBytes(sent.length));
        }
    }
}
