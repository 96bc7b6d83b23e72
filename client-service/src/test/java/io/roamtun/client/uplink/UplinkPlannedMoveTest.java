package io.roamtun.client.uplink;

import io.roamtun.client.ClientConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.PathChoice;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.EngineContext;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Wire;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import io.roamtun.testing.Await;
import org.junit.jupiter.api.Test;

/** Planned moves and switches that neither an unrelated table change nor the server's takeover may cut short. */
class UplinkPlannedMoveTest {

    /**
     * Carried by the name's IPv6 address via eth9; the user switches to wlan7, which has IPv4 only. While that
     * attempt waits for its answer, an unrelated interface (eth5) gets an address: the switch goes on (before,
     * the attempt's IPv4 path was checked against the IPv6 address in use, found "not usable" and abandoned:
     * the switch failed with "interface wlan7 is gone" although wlan7 was untouched).
     */
    @Test
    void anUnrelatedTableChangeDoesNotAbortASwitchToTheOtherFamily() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        try (ServerSocket welcomingV6 = new ServerSocket(0, 8, v6)) {
            int port = welcomingV6.getLocalPort();
            FakeServerService.welcomeOnce(welcomingV6);
            InetSocketAddress b = new InetSocketAddress(InetAddress.getByAddress("srv.test", v6.getAddress()), port);
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress("srv.test", v4.getAddress()), port);
            InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500, List.of(v4, v6));
            InterfaceSnapshot wlan = new InterfaceSnapshot("wlan7", 7, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.2")));
            InterfaceSnapshot other = new InterfaceSnapshot("eth5", 5, true, false, false, 1500, List.of());
            InterfaceSnapshot otherWithAddress = new InterfaceSnapshot("eth5", 5, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.5")));
            ClientConfig config = new ClientConfig(b, List.of(), SessionSettings.defaults(),
                    LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10)),
                    () -> List.of(eth, wlan, other), Duration.ofMillis(500), PathPolicy.any(), null);
            EngineContext engine = new EngineContext("planned-move", 64L << 20);
            engine.loop().start();
            try {
                Uplink uplink = engine.loop().call(() -> {
                    Uplink u = new Uplink(engine, config);
                    u.onServerAddresses(List.of(b, a)); // IPv6 first: the session starts there
                    u.start(List.of(eth, wlan, other));
                    return u;
                });
                FakeServerService.awaitActive(engine, uplink);
                try (ServerSocket silentV4 = new ServerSocket(port, 8, v4)) { // accepts in the kernel, never answers
                    AtomicReference<String> failed = new AtomicReference<>();
                    AtomicReference<String> done = new AtomicReference<>();
                    engine.loop().call(() -> {
                        uplink.switchTo("wlan7", done::set, failed::set);
                        return null;
                    });
                    silentV4.setSoTimeout(3_000);
                    try (Socket s = silentV4.accept()) {
                        assertEquals(InetAddress.getByName("127.0.0.2"), s.getInetAddress(), "the switch's attempt via wlan7");
                        assertNull(failed.get(), "switch failed before the table changed");
                        // The table change is handled within this one task: an abandoned attempt fails in it.
                        engine.loop().call(() -> {
                            uplink.onInterfacePoll(List.of(eth, wlan, otherWithAddress)); // eth5 gets an address
                            return null;
                        });
                        assertNull(failed.get(), "a switch to wlan7 (IPv4 only) failed when eth5 got an address");
                        assertNotNull(engine.loop().call(uplink::attemptUnderWay), "the switch's attempt is still under way");
                    }
                }
            } finally {
                engine.close();
            }
        }
    }

    /**
     * A move from eth9 to the better-ranked wlan7 sends RESUME; the server takes the session over (GOAWAY
     * SESSION_TAKEN_OVER on the eth9 link: the RESUME was accepted), and its RESUMED on the new link arrives
     * 1.5 s later (a slow or lossy new path): the move stands (before, the old link's close cut the attempt to
     * 1 s, so the accepted move failed, wlan7 was set aside, and the client resumed again via eth9).
     */
    @Test
    void aTakeoverDoesNotCutTheAttemptThatTookTheSessionOver() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        try (ServerSocket listener = new ServerSocket(0, 8, v4)) {
            int port = listener.getLocalPort();
            InetSocketAddress srv = new InetSocketAddress(InetAddress.getByAddress("srv.test", v4.getAddress()), port);
            InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500, List.of(v4));
            InterfaceSnapshot wlan = new InterfaceSnapshot("wlan7", 7, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.2")));
            List<InetAddress> connections = new CopyOnWriteArrayList<>();
            Thread server = new Thread(() -> takeOverSlowly(listener, connections), "takeover");
            server.setDaemon(true);
            server.start();
            ClientConfig config = new ClientConfig(srv, List.of(), SessionSettings.defaults(),
                    LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10)),
                    () -> List.of(eth), Duration.ofMillis(500), new PathPolicy(List.of("wlan7", "eth9"), List.of()), null);
            EngineContext engine = new EngineContext("planned-move", 64L << 20);
            engine.loop().start();
            try {
                Uplink uplink = engine.loop().call(() -> {
                    Uplink u = new Uplink(engine, config);
                    u.start(List.of(eth));
                    return u;
                });
                FakeServerService.awaitActive(engine, uplink);
                engine.loop().call(() -> {
                    uplink.onInterfacePoll(List.of(eth, wlan)); // wlan7 comes up, ranked first: a move
                    return null;
                });
                // The move's RESUMED comes 1.5 s after the takeover: wait for that handover (with the old bug the
                // attempt was cut at 1 s and the handover that came was a resume via eth9 on a third connection).
                Await.until(10, "a handover", () -> engine.loop().call(uplink::handoverCount) >= 1);
                PathChoice path = engine.loop().call(uplink::activePath);
                assertEquals(List.of(v4, InetAddress.getByName("127.0.0.2")), connections,
                        "connections: the first via eth9, the move via wlan7 and no other");
                assertNotNull(path, "carried (uplink " + engine.loop().call(uplink::state) + ")");
                assertEquals("wlan7", path.interfaceName(), "the session the server moved to wlan7 stays there");
            } finally {
                engine.close();
            }
        }
    }

    /** WELCOME on the first connection; on the second, GOAWAY(SESSION_TAKEN_OVER) on the first, RESUMED 1.5 s later. */
    private static void takeOverSlowly(ServerSocket listener, List<InetAddress> connections) {
        BlockingQueue<Socket> open = new ArrayBlockingQueue<>(8);
        try {
            Socket first = listener.accept();
            connections.add(first.getInetAddress());
            open.add(first);
            first.getInputStream().read(new byte[512]); // HELLO
            ByteBuffer frame = FakeServerService.welcome();
            first.getOutputStream().write(frame.array(), 0, frame.position());
            listener.setSoTimeout(6_000);
            while (true) {
                Socket next = listener.accept();
                connections.add(next.getInetAddress());
                open.add(next);
                if (connections.size() == 2) {
                    next.getInputStream().read(new byte[512]); // RESUME
                    frame.clear();
                    FrameEncoder.goAway(frame, ErrorCode.SESSION_TAKEN_OVER, "session moved to another link");
                    first.getOutputStream().write(frame.array(), 0, frame.position());
                    Thread.sleep(1_500);
                    frame.clear();
                    FrameEncoder.resumed(frame, 0, 0, new byte[Wire.NONCE_BYTES]);
                    try {
                        OutputStream out = next.getOutputStream();
                        out.write(frame.array(), 0, frame.position());
                    } catch (Exception abandoned) {
                        // the client gave the link up (reset) before the RESUMED arrived
                    }
                }
            }
        } catch (Exception ignored) {
            // the test is over
        } finally {
            for (Socket s : open) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // closing
                }
            }
        }
    }
}
