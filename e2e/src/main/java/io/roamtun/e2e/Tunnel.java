package io.roamtun.e2e;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.Forward;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server-service and a client-service running in this JVM on loopback, for tests and the benchmark:
 * every service named in {@code services} is forwarded from a local port of the client.
 */
public final class Tunnel implements AutoCloseable {
    public final ServerService server;
    public final ClientService client;
    private final Map<String, InetSocketAddress> forwards = new LinkedHashMap<>();

    private Tunnel(ServerService server, ClientService client, List<String> names) {
        this.server = server;
        this.client = client;
        for (int i = 0; i < names.size(); i++) {
            forwards.put(names.get(i), client.forwardAddresses().get(i));
        }
    }

    /** Starts both agents; {@code services} are offered by the server, {@code forwarded} are forwarded by the client. */
    public static Tunnel start(Map<String, InetSocketAddress> services, List<String> forwarded) throws IOException {
        return start(services, forwarded, SessionSettings.defaults());
    }

    public static Tunnel start(Map<String, InetSocketAddress> services, List<String> forwarded, SessionSettings settings)
            throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        LinkSettings link = LinkSettings.forDeadAfter(Duration.ofSeconds(3), Duration.ofSeconds(10));
        ServerService server = ServerService.start(new ServerConfig(new InetSocketAddress(loopback, 0),
                new ServiceDirectory(services), settings, link));
        try {
            List<Forward> forwards = new ArrayList<>();
            for (String name : forwarded) {
                forwards.add(new Forward(new InetSocketAddress(loopback, 0), name));
            }
            ClientService client = ClientService.start(new ClientConfig(server.address(), forwards, settings, link));
            Tunnel tunnel = new Tunnel(server, client, forwarded);
            tunnel.awaitConnected(Duration.ofSeconds(10));
            return tunnel;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The local address that stands in for {@code service}. */
    public InetSocketAddress forward(String service) {
        InetSocketAddress address = forwards.get(service);
        if (address == null) {
            throw new IllegalArgumentException("no forward for " + service);
        }
        return address;
    }

    public void awaitConnected(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!client.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("client-service did not connect within " + within);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
