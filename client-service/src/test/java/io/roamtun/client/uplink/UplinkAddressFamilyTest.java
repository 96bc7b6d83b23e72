package io.roamtun.client.uplink;

import io.roamtun.client.ClientConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.EngineContext;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import io.roamtun.testing.Await;
import org.junit.jupiter.api.Test;

/**
 * A dual-stack client rotates from the name's dead IPv4 address to its IPv6 one; while that
 * attempt runs, the client roams to an IPv4-only interface. The attempt is abandoned; the next one must go
 * to the IPv4 address through the new interface (before: the uplink looked for an IPv6 path only, found none,
 * and never tried again).
 */
class UplinkAddressFamilyTest {
    /**
     * A listener on ::1 and one on 127.0.0.1 with the same port, retried: the port the kernel picks on one may
     * be in use on the other (a test then failed with "Address already in use" now and then).
     */
    private static ServerSocket[] samePortOnBoth(InetAddress v6, InetAddress v4) throws java.io.IOException {
        for (int attempt = 0; ; attempt++) {
            ServerSocket six = new ServerSocket(0, 8, v6);
            try {
                return new ServerSocket[] {six, new ServerSocket(six.getLocalPort(), 8, v4)};
            } catch (java.net.BindException taken) {
                six.close();
                if (attempt == 50) {
                    throw taken;
                }
            }
        }
    }

    @Test
    void roamingToAnIpv4OnlyInterfaceAfterRotatingToIpv6KeepsTrying() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        try (ServerSocket silentV6 = new ServerSocket(0, 8, v6)) { // accepts in the kernel, never answers HELLO
            int port = silentV6.getLocalPort();
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress("srv.test", v4.getAddress()), port); // refuses
            InetSocketAddress b = new InetSocketAddress(InetAddress.getByAddress("srv.test", v6.getAddress()), port);
            InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500, List.of(v4, v6));
            InterfaceSnapshot wlan = new InterfaceSnapshot("wlan7", 7, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.2")));
            ClientConfig config = new ClientConfig(a, List.of(), SessionSettings.defaults(),
                    LinkSettings.forDeadAfter(Duration.ofSeconds(3), Duration.ofSeconds(10)),
                    () -> List.of(eth), Duration.ofMillis(500), PathPolicy.any(), null);
            EngineContext engine = new EngineContext("address-family", 64L << 20);
            engine.loop().start();
            try {
                Uplink uplink = engine.loop().call(() -> {
                    Uplink u = new Uplink(engine, config);
                    u.onServerAddresses(List.of(a, b)); // the resolver's answer: A (v4) first, B (v6)
                    u.start(List.of(eth));             // A refuses -> rotation to B via eth9, in flight
                    return u;
                });
                Await.until(10, "the rotation's attempt to B", () -> String.valueOf(engine.loop().call(uplink::attemptUnderWay))
                        .startsWith(b.toString()));
                // Roams: eth9 gone, wlan7 (IPv4 only) up, in one poll.
                engine.loop().call(() -> {
                    uplink.onInterfacePoll(List.of(wlan));
                    return null;
                });
                try (ServerSocket backV4 = new ServerSocket(port, 8, v4)) { // the IPv4 address answers again
                    backV4.setSoTimeout(12_000);
                    InetAddress from;
                    try (Socket s = backV4.accept()) {
                        from = s.getInetAddress();
                    } catch (SocketTimeoutException e) {
                        from = null;
                    }
                    UplinkState state = engine.loop().call(uplink::state);
                    assertEquals(InetAddress.getByName("127.0.0.2"), from,
                            "an attempt to the IPv4 address via wlan7 within 12 s of roaming there (uplink " + state + ")");
                }
            } finally {
                engine.close();
            }
        }
    }

    /**
     * A dual-stack client carried by the name's IPv6 address (its IPv4 one refused once) sees a better-ranked
     * interface with IPv4 only: it moves there, to the IPv4 address (before: it looked for IPv6 paths only
     * and stayed where it was for as long as that link lived; a switch to the interface was refused).
     */
    @Test
    void aBetterInterfaceWithOnlyTheOtherFamilyIsMovedTo() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        ServerSocket[] both = samePortOnBoth(v6, v4);
        try (ServerSocket welcomingV6 = both[0]; ServerSocket reservedV4 = both[1]) {
            int port = welcomingV6.getLocalPort();
            reservedV4.close(); // the IPv4 address refuses at first (the port was free on both a moment ago)
            FakeServerService.welcomeOnce(welcomingV6);
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress("srv.test", v4.getAddress()), port); // refuses
            InetSocketAddress b = new InetSocketAddress(InetAddress.getByAddress("srv.test", v6.getAddress()), port);
            InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500, List.of(v4, v6));
            InterfaceSnapshot wlan = new InterfaceSnapshot("wlan7", 7, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.2")));
            ClientConfig config = new ClientConfig(a, List.of(), SessionSettings.defaults(),
                    LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10)),
                    () -> List.of(eth), Duration.ofMillis(500), new PathPolicy(List.of("wlan7", "eth9"), List.of()), null);
            EngineContext engine = new EngineContext("address-family", 64L << 20);
            engine.loop().start();
            try {
                Uplink uplink = engine.loop().call(() -> {
                    Uplink u = new Uplink(engine, config);
                    u.onServerAddresses(List.of(a, b));
                    u.start(List.of(eth)); // A refuses -> B via eth9, welcomed
                    return u;
                });
                FakeServerService.awaitActive(engine, uplink);
                try (ServerSocket v4Back = new ServerSocket(port, 8, v4)) {
                    v4Back.setSoTimeout(10_000);
                    engine.loop().call(() -> {
                        uplink.onInterfacePoll(List.of(eth, wlan)); // wlan7 comes up, IPv4 only, ranked first
                        return null;
                    });
                    try (Socket move = v4Back.accept()) {
                        assertEquals(InetAddress.getByName("127.0.0.2"), move.getInetAddress(), "a move to the IPv4 address via wlan7");
                        assertEquals(UplinkState.ACTIVE, engine.loop().call(uplink::state), "make-before-break: still carried by eth9");
                        // The table changes while the move waits for its answer: the move goes on (before, its
                        // IPv4 path was checked against the IPv6 address in use, and it was reset and restarted).
                        InterfaceSnapshot other = new InterfaceSnapshot("eth5", 5, true, false, false, 1500,
                                List.of(InetAddress.getByName("127.0.0.5")));
                        engine.loop().call(() -> {
                            uplink.onInterfacePoll(List.of(eth, wlan, other));
                            return null;
                        });
                        move.setSoTimeout(1_000);
                        try {
                            while (move.getInputStream().read(new byte[512]) >= 0) {
                                // its RESUME: fine
                            }
                            throw new AssertionError("the move's connection was closed after an unrelated table change");
                        } catch (SocketTimeoutException stillWaiting) {
                            // the attempt is still there, waiting for our answer
                        }
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("no move to the IPv4 address via wlan7 within 10 s");
                    }
                }
            } finally {
                engine.close();
            }
        }
    }

    /**
     * Carried by the name's IPv6 address via eth9 (IPv6 only); the link goes quiet. The probe goes through
     * wlan7, which has IPv4 only, to the IPv4 address (before: probes looked at the family in use only and
     * went out through the quiet eth9 again; wlan7 was tried only after the link died and an attempt timed out).
     */
    @Test
    void aQuietLinksProbeMayUseTheOtherFamily() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        ServerSocket[] both = samePortOnBoth(v6, v4);
        try (ServerSocket welcomingV6 = both[0]; ServerSocket reservedV4 = both[1]) {
            int port = welcomingV6.getLocalPort();
            FakeServerService.welcomeOnce(welcomingV6);
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress("srv.test", v4.getAddress()), port);
            InetSocketAddress b = new InetSocketAddress(InetAddress.getByAddress("srv.test", v6.getAddress()), port);
            InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500, List.of(v6));
            InterfaceSnapshot wlan = new InterfaceSnapshot("wlan7", 7, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.2")));
            ClientConfig config = new ClientConfig(b, List.of(), SessionSettings.defaults(),
                    LinkSettings.forDeadAfter(Duration.ofSeconds(6), Duration.ofSeconds(10)),
                    () -> List.of(eth, wlan), Duration.ofMillis(500), new PathPolicy(List.of("eth9", "wlan7"), List.of()), null);
            EngineContext engine = new EngineContext("address-family", 64L << 20);
            engine.loop().start();
            try (ServerSocket v4Listener = reservedV4) {
                Uplink uplink = engine.loop().call(() -> {
                    Uplink u = new Uplink(engine, config);
                    u.onServerAddresses(List.of(b, a));
                    u.start(List.of(eth, wlan)); // via eth9 to the IPv6 address: welcomed, then silent
                    return u;
                });
                FakeServerService.awaitActive(engine, uplink);
                // Quiet after half of dead-after (3 s): the probe. Before, the first IPv4 attempt came at ~7 s (the
                // probe through eth9 again, cut 1 s after the link was declared dead at 6 s).
                v4Listener.setSoTimeout(5_000);
                try (Socket probe = v4Listener.accept()) {
                    assertEquals(InetAddress.getByName("127.0.0.2"), probe.getInetAddress(), "the probe via wlan7");
                    assertEquals(UplinkState.ACTIVE, engine.loop().call(uplink::state), "probed while the quiet link still carries");
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no probe to the IPv4 address via wlan7 before the quiet link was declared dead");
                }
            } finally {
                engine.close();
            }
        }
    }

    /**
     * Carried via eth9 (IPv6 only) to the name's IPv6 address; the link is reset (not quiet: no probe), and
     * eth9 is set aside. wlan7 (IPv4 only) has not failed and reaches the name's IPv4 address: the next attempt
     * goes there at once (before: the family in use only, so back through the set-aside eth9, and the IPv4
     * address came after that attempt's 5 s).
     */
    @Test
    void aLostLinksNextAttemptPrefersAFreshInterfaceOfTheOtherFamily() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        CountDownLatch reset = new CountDownLatch(1);
        ServerSocket[] both = samePortOnBoth(v6, v4);
        try (ServerSocket v6Listener = both[0]; ServerSocket reservedV4 = both[1]) { // v6: after the first session, accepts, never answers
            int port = v6Listener.getLocalPort();
            Thread server = new Thread(() -> {
                try (Socket s = v6Listener.accept()) {
                    s.getInputStream().read(new byte[512]);
                    ByteBuffer frame = FakeServerService.welcome();
                    s.getOutputStream().write(frame.array(), 0, frame.position());
                    reset.await();
                    s.setSoLinger(true, 0); // RST: "read failed", not byPeer
                } catch (Exception ignored) {
                    // over
                }
            }, "welcome-then-reset");
            server.setDaemon(true);
            server.start();
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress("srv.test", v4.getAddress()), port);
            InetSocketAddress b = new InetSocketAddress(InetAddress.getByAddress("srv.test", v6.getAddress()), port);
            InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500, List.of(v6));
            InterfaceSnapshot wlan = new InterfaceSnapshot("wlan7", 7, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.2")));
            ClientConfig config = new ClientConfig(b, List.of(), SessionSettings.defaults(),
                    LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10)),
                    () -> List.of(eth, wlan), Duration.ofMillis(500), new PathPolicy(List.of("eth9", "wlan7"), List.of()), null);
            EngineContext engine = new EngineContext("address-family", 64L << 20);
            engine.loop().start();
            try (ServerSocket v4Listener = reservedV4) {
                Uplink uplink = engine.loop().call(() -> {
                    Uplink u = new Uplink(engine, config);
                    u.onServerAddresses(List.of(b, a));
                    u.start(List.of(eth, wlan));
                    return u;
                });
                FakeServerService.awaitActive(engine, uplink);
                long t0 = System.nanoTime();
                reset.countDown();
                v4Listener.setSoTimeout(8_000);
                try (Socket next = v4Listener.accept()) {
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertEquals(InetAddress.getByName("127.0.0.2"), next.getInetAddress(), "via wlan7");
                    if (ms > 4_000) {
                        throw new AssertionError("the attempt via fresh wlan7 to the IPv4 address came " + ms
                                + " ms after the link was lost (the set-aside eth9 was tried first)");
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("no attempt via wlan7 within 8 s");
                }
            } finally {
                engine.close();
            }
        }
    }

    /**
     * The name moves while an attempt to its old IPv6 address hangs: after that attempt's timeout the next
     * goes to the new IPv6 address through eth9 (before: eth9 was set aside for the old address's silence, and
     * the attempt went to the IPv4 address through the less preferred wlan7).
     */
    @Test
    void afterTheNameMovesTheNextAttemptGoesToTheNewAddressThroughThePreferredInterface() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        BlockingQueue<String> accepted = new ArrayBlockingQueue<>(8);
        try (ServerSocket oldV6 = new ServerSocket(0, 8, v6); // accepts in the kernel, never answers
             ServerSocket newV6 = new ServerSocket(0, 8, v6);
             ServerSocket newV4 = new ServerSocket(0, 8, v4)) {
            for (ServerSocket l : List.of(newV6, newV4)) {
                Thread t = new Thread(() -> {
                    try (Socket s = l.accept()) {
                        accepted.add(familyOf(l) + " from " + s.getInetAddress().getHostAddress());
                    } catch (Exception ignored) {
                        // closed
                    }
                });
                t.setDaemon(true);
                t.start();
            }
            InetSocketAddress old = new InetSocketAddress(InetAddress.getByAddress("srv.test", v6.getAddress()), oldV6.getLocalPort());
            InetSocketAddress n6 = new InetSocketAddress(InetAddress.getByAddress("srv.test", v6.getAddress()), newV6.getLocalPort());
            InetSocketAddress n4 = new InetSocketAddress(InetAddress.getByAddress("srv.test", v4.getAddress()), newV4.getLocalPort());
            InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500, List.of(v6));
            InterfaceSnapshot wlan = new InterfaceSnapshot("wlan7", 7, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.2")));
            ClientConfig config = new ClientConfig(old, List.of(), SessionSettings.defaults(),
                    LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10)),
                    () -> List.of(eth, wlan), Duration.ofMillis(500), new PathPolicy(List.of("eth9", "wlan7"), List.of()), null);
            EngineContext engine = new EngineContext("address-family", 64L << 20);
            engine.loop().start();
            try {
                Uplink uplink = engine.loop().call(() -> {
                    Uplink u = new Uplink(engine, config);
                    u.start(List.of(eth, wlan)); // attempt to the old address via eth9: no answer for 5 s
                    return u;
                });
                Await.until(10, "the attempt to the old address", () -> String.valueOf(engine.loop().call(uplink::attemptUnderWay))
                        .startsWith(old.toString()));
                engine.loop().call(() -> {
                    uplink.onServerAddresses(List.of(n6, n4)); // the name moved (IPv6 first)
                    return null;
                });
                String first = accepted.poll(9, TimeUnit.SECONDS);
                assertEquals("new v6 from ::1", first == null ? null : first.replace("0:0:0:0:0:0:0:1", "::1"),
                        "the attempt after the old address's timeout goes to the name's new IPv6 address via eth9");
            } finally {
                engine.close();
            }
        }
    }

    private static String familyOf(ServerSocket l) {
        return l.getInetAddress() instanceof java.net.Inet6Address ? "new v6" : "new v4";
    }
}
