package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.UdpForward;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.datagram.DatagramQueue;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import io.roamtun.testing.Await;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UDP forwards with both agents in this JVM: a UDP echo service beside the server, apps sending datagrams
 * to the client's forwarded port from several sources. Boundaries are kept, each source is its own flow,
 * and while the session is suspended only the newest datagrams are held, the others dropped and counted.
 */
class UdpForwardTest {
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

    /** Echoes every datagram to its sender. */
    private static final class UdpEcho implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread = new Thread(this::run, "udp-echo");

        UdpEcho() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            byte[] buf = new byte[65_536];
            while (running.get()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    socket.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            socket.close();
            thread.join(5000);
        }
    }

    private record Rig(UdpEcho echo, ServerService server, FaultProxy proxy, ClientService client, InetSocketAddress port) {}

    private Rig rig() throws Exception {
        UdpEcho echo = started(new UdpEcho());
        ServerService server = started(ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), LINK, Duration.ofMinutes(1))
                .withUdpServices(new ServiceDirectory(Map.of("echo", echo.address())))));
        FaultProxy proxy = started(new FaultProxy(server.address()));
        ClientService client = started(ClientService.start(new ClientConfig(proxy.address(), List.of(), SessionSettings.defaults(),
                LINK, null, Duration.ofMillis(100), PathPolicy.any(), null)
                .forwardingUdp(List.of(new UdpForward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")))));
        Await.until(Duration.ofSeconds(10), "connected", client::isConnected);
        return new Rig(echo, server, proxy, client, client.udpForwardAddresses().get(0));
    }

    private static byte[] datagram(int seq, int size) {
        byte[] d = new byte[size];
        ByteBuffer.wrap(d).putInt(seq);
        for (int i = 4; i < size; i++) {
            d[i] = (byte) (seq * 31 + i);
        }
        return d;
    }

    @Test
    @Timeout(120)
    void datagramsKeepTheirBoundariesAndEachSourceGetsItsOwnAnswers() throws Exception {
        Rig rig = rig();
        int[] sizes = {4, 5, 512, 1400, 1500, 9000, 32_000, 65_000};
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            a.setSoTimeout(10_000);
            b.setSoTimeout(10_000);
            for (int i = 0; i < sizes.length; i++) {
                // one at a time, answered before the next: no loss on loopback, so every one must come back whole
                for (DatagramSocket app : new DatagramSocket[] {a, b}) {
                    int seq = app == a ? i : 1000 + i;
                    byte[] sent = datagram(seq, sizes[i]);
                    app.send(new DatagramPacket(sent, sent.length, rig.port()));
                    DatagramPacket back = new DatagramPacket(new byte[65_536], 65_536);
                    app.receive(back);
                    assertEquals(sizes[i], back.getLength(), "one datagram back, of the size sent");
                    assertEquals(ByteBuffer.wrap(sent), ByteBuffer.wrap(back.getData(), 0, back.getLength()), "its own answer, whole");
                }
            }
        }
        String status = rig.client().status();
        assertTrue(status.contains("udp 127.0.0.1:" + rig.port().getPort() + "=echo: 2 flows"), status);
        assertTrue(status.contains("datagrams: 16 sent, 16 received"), status);
    }

    @Test
    @Timeout(120)
    void whileTheSessionIsSuspendedOnlyTheNewestDatagramsAreHeldAndTheRestCounted() throws Exception {
        Rig rig = rig();
        try (DatagramSocket app = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            app.setSoTimeout(10_000);
            byte[] first = datagram(-1, 64);
            app.send(new DatagramPacket(first, first.length, rig.port()));
            app.receive(new DatagramPacket(new byte[100], 100)); // the flow is up
            rig.proxy().refuseNew(true);
            rig.proxy().severAll();
            Await.until(Duration.ofSeconds(10), "the client's session suspended", () -> rig.client().status().contains("SUSPENDED"));
            for (int i = 0; i < 100; i++) {
                byte[] d = datagram(i, 64);
                app.send(new DatagramPacket(d, d.length, rig.port()));
            }
            Await.until(Duration.ofSeconds(10), "all 100 read by the client-service",
                    () -> rig.client().status().contains(" " + (100 - DatagramQueue.HELD_WHILE_AWAY) + " while away"));
            rig.proxy().refuseNew(false);
            List<Integer> back = new ArrayList<>();
            try {
                while (back.size() < 100) {
                    DatagramPacket p = new DatagramPacket(new byte[100], 100);
                    app.receive(p);
                    back.add(ByteBuffer.wrap(p.getData()).getInt());
                    app.setSoTimeout(2_000); // after the resume the held ones come at once; then nothing more
                }
            } catch (SocketTimeoutException noMore) {
                // what was held has come back
            }
            List<Integer> newest = new ArrayList<>();
            for (int i = 100 - DatagramQueue.HELD_WHILE_AWAY; i < 100; i++) {
                newest.add(i);
            }
            assertEquals(newest, back, "the newest " + DatagramQueue.HELD_WHILE_AWAY + ", in order; the older ones dropped");
            assertTrue(rig.client().isConnected());
        }
    }

    @Test
    @Timeout(120)
    void datagramsAndABulkStreamShareTheSessionWithoutWaitingForEachOther() throws Exception {
        // UDP pings, one after another, while a TCP stream moves 64 MiB through the same session: each is
        // answered in order, and some while the bulk transfer still runs (not all held until after it).
        Backends.Server discard = started(Backends.discard());
        UdpEcho echo = started(new UdpEcho());
        ServerService server = started(ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of("sink", discard.address())), SessionSettings.defaults(), LINK, Duration.ofMinutes(1))
                .withUdpServices(new ServiceDirectory(Map.of("echo", echo.address())))));
        ClientService client = started(ClientService.start(new ClientConfig(server.address(),
                List.of(new io.roamtun.client.Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "sink")),
                SessionSettings.defaults(), LINK)
                .forwardingUdp(List.of(new UdpForward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")))));
        Await.until(Duration.ofSeconds(10), "connected", client::isConnected);
        InetSocketAddress udp = client.udpForwardAddresses().get(0);
        AtomicBoolean bulkDone = new AtomicBoolean();
        Thread bulk = new Thread(() -> {
            try (Socket s = new Socket(client.forwardAddresses().get(0).getAddress(), client.forwardAddresses().get(0).getPort())) {
                byte[] chunk = new byte[256 * 1024];
                for (int i = 0; i < 256; i++) {
                    s.getOutputStream().write(chunk);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                bulkDone.set(true);
            }
        });
        bulk.start();
        int answeredDuringBulk = 0;
        try (DatagramSocket app = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            app.setSoTimeout(10_000);
            for (int i = 0; i < 200 && !bulkDone.get(); i++) {
                byte[] d = datagram(i, 64);
                app.send(new DatagramPacket(d, d.length, udp));
                DatagramPacket p = new DatagramPacket(new byte[100], 100);
                app.receive(p);
                assertEquals(i, ByteBuffer.wrap(p.getData()).getInt());
                if (!bulkDone.get()) {
                    answeredDuringBulk++;
                }
            }
        }
        bulk.join(60_000);
        assertTrue(answeredDuringBulk > 0, "pings answered while the bulk stream ran");
    }
    /**
     * Reverse UDP (--expose-udp): an app beside the server sends datagrams to the port the server receives on
     * for the client, and an echo app on the client's side answers; two sources, two flows, boundaries kept.
     */
    @Test
    @Timeout(120)
    void aBackendAppsDatagramsReachAnAppOnTheClientSideThroughAnExposedUdpPort() throws Exception {
        UdpEcho echo = started(new UdpEcho());
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ServerService server = started(ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), LINK, Duration.ofMinutes(1))
                .allowingExpose(io.roamtun.server.PortRanges.parse("test", String.valueOf(port)))));
        ClientService client = started(ClientService.start(new ClientConfig(server.address(), List.of(), SessionSettings.defaults(),
                LINK, null, Duration.ofMillis(100), PathPolicy.any(), null)
                .exposing(List.of(new io.roamtun.client.Expose(port, echo.address(), true)))));
        Await.until(Duration.ofSeconds(10), "the client told where the server receives",
                () -> client.status().contains(": server listens on udp 127.0.0.1:" + port));
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             DatagramSocket b = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            a.setSoTimeout(10_000);
            b.setSoTimeout(10_000);
            InetSocketAddress exposed = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            for (int i = 0; i < 20; i++) {
                for (DatagramSocket app : new DatagramSocket[] {a, b}) {
                    byte[] sent = datagram(app == a ? i : 100 + i, 16 + 700 * i);
                    app.send(new DatagramPacket(sent, sent.length, exposed));
                    DatagramPacket back = new DatagramPacket(new byte[65_536], 65_536);
                    app.receive(back);
                    assertEquals(ByteBuffer.wrap(sent), ByteBuffer.wrap(back.getData(), 0, back.getLength()), "its own answer, whole");
                }
            }
        }
        String status = server.status();
        assertTrue(status.contains("exposed udp 127.0.0.1:" + port + " -> session") && status.contains("2 flows"), status);
    }
    /**
     * Each UDP flow holds a socket on the server: flows count against the client's share of the server's
     * descriptors like its streams (here 2), so one client cannot take them all by sending from many sources.
     */
    @Test
    @Timeout(120)
    void udpFlowsCountAgainstTheClientsDescriptorQuota() throws Exception {
        UdpEcho echo = started(new UdpEcho());
        ServerService server = started(ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), LINK, Duration.ofMinutes(1),
                io.roamtun.engine.transport.TransportFactory.plaintext(), null, 100, 4, 100, 8, 2)
                .withUdpServices(new ServiceDirectory(Map.of("echo", echo.address())))));
        ClientService client = started(ClientService.start(new ClientConfig(server.address(), List.of(), SessionSettings.defaults(),
                LINK, null, Duration.ofMillis(100), PathPolicy.any(), null)
                .forwardingUdp(List.of(new UdpForward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")))));
        Await.until(Duration.ofSeconds(10), "connected", client::isConnected);
        InetSocketAddress port = client.udpForwardAddresses().get(0);
        List<DatagramSocket> sources = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                s.setSoTimeout(i < 2 ? 10_000 : 1_000);
                sources.add(s);
                byte[] d = datagram(i, 64);
                s.send(new DatagramPacket(d, d.length, port));
                DatagramPacket back = new DatagramPacket(new byte[100], 100);
                if (i < 2) {
                    s.receive(back);
                    assertEquals(i, ByteBuffer.wrap(back.getData()).getInt(), "within the quota: answered");
                } else {
                    DatagramSocket third = s;
                    org.junit.jupiter.api.Assertions.assertThrows(SocketTimeoutException.class, () -> third.receive(back),
                            "a third flow is over the client's two places: dropped on the server");
                }
            }
        } finally {
            for (DatagramSocket s : sources) {
                s.close();
            }
        }
    }
}
