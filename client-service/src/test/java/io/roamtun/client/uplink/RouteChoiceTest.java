package io.roamtun.client.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.client.paths.FailedPaths;
import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceTable;
import io.roamtun.client.paths.PathChoice;
import io.roamtun.client.paths.PathPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Route choice as a pure function of the table, the failures and the server's addresses: no sockets. */
class RouteChoiceTest {
    private static final InetSocketAddress SERVER_V4 = server("198.51.100.7");
    private static final InetSocketAddress SERVER_V6 = server("2001:db8::7");

    private static InetSocketAddress server(String address) {
        try {
            return new InetSocketAddress(InetAddress.getByName(address), 7000);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static InterfaceSnapshot nif(String name, String... addresses) throws Exception {
        List<InetAddress> list = new java.util.ArrayList<>();
        for (String a : addresses) {
            list.add(InetAddress.getByName(a));
        }
        return new InterfaceSnapshot(name, name.hashCode() & 0xff, true, false, false, 1500, list);
    }

    /** A route choice over {@code interfaces}, preferring wlan0 then eth0 then wwan0, at a clock the test moves. */
    private static final class Fixture {
        final InterfaceTable table = new InterfaceTable();
        final FailedPaths failed = new FailedPaths();
        final ServerAddresses servers = new ServerAddresses(SERVER_V4);
        long now = 1_000_000_000L;
        final RouteChoice routes = new RouteChoice(new PathPolicy(List.of("wlan0", "eth0", "wwan0"), List.of()), table, failed,
                servers, true, () -> now);

        Fixture(InterfaceSnapshot... interfaces) {
            table.update(List.of(interfaces));
        }
    }

    @Test
    void theBestPathFollowsThePreferenceAndPassesOverAnInterfaceSetAside() throws Exception {
        Fixture f = new Fixture(nif("eth0", "192.0.2.10"), nif("wlan0", "192.0.2.20"), nif("wwan0", "203.0.113.5"));
        assertEquals("wlan0", f.routes.bestPath().interfaceName());
        f.failed.failed("wlan0", f.now);
        assertEquals("eth0", f.routes.bestPath().interfaceName(), "wlan0 is set aside while another works");
        f.failed.failed("eth0", f.now);
        f.failed.failed("wwan0", f.now);
        assertNull(f.routes.freshBestPath(), "every interface is set aside");
        assertEquals("wlan0", f.routes.bestPath().interfaceName(), "then the best of them all the same");
    }

    @Test
    void aQuietLinkIsProbedThroughAnotherInterface() throws Exception {
        Fixture f = new Fixture(nif("eth0", "192.0.2.10"), nif("wlan0", "192.0.2.20"));
        PathChoice active = f.routes.bestPath();
        Route probe = f.routes.alternativeTo(active);
        assertEquals("eth0", probe.path().interfaceName());
        assertEquals(SERVER_V4, probe.target());
    }

    @Test
    void aBetterInterfaceIsOneRankedHigherOrPinned() throws Exception {
        Fixture f = new Fixture(nif("eth0", "192.0.2.10"), nif("wlan0", "192.0.2.20"));
        PathChoice eth = new PathChoice("eth0", InetAddress.getByName("192.0.2.10"));
        PathChoice wlan = new PathChoice("wlan0", InetAddress.getByName("192.0.2.20"));
        assertEquals("wlan0", f.routes.betterThan(eth).path().interfaceName());
        assertNull(f.routes.betterThan(wlan), "on the best one already");
        f.routes.pin("eth0");
        assertEquals("eth0", f.routes.betterThan(wlan).path().interfaceName(), "a switch pinned eth0");
        f.failed.failed("eth0", f.now);
        assertNull(f.routes.betterThan(wlan), "not while the pinned one is set aside");
    }

    @Test
    void aDualStackNameGivesRoutesOfBothFamilies() throws Exception {
        Fixture f = new Fixture(nif("eth0", "192.0.2.10"), nif("wlan0", "2001:db8::20"));
        f.servers.update(List.of(SERVER_V4, SERVER_V6), address -> true);
        assertEquals("eth0", f.routes.bestPath().interfaceName(), "the address in use is IPv4: wlan0 (IPv6 only) cannot reach it");
        Route best = f.routes.freshBestRoute();
        assertEquals("wlan0", best.path().interfaceName(), "the best-ranked interface, through the name's other family");
        assertEquals(SERVER_V6, best.target());
        Route viaWlan = f.routes.viaInterface("wlan0");
        assertEquals(SERVER_V6, viaWlan.target(), "a switch to wlan0 goes to the IPv6 address");
        assertNull(f.routes.viaInterface("wwan0"), "no such interface");
        assertTrue(f.routes.hasPathVia("wlan0"));
    }

    @Test
    void aRouteIsNoLongerUsableOnceItsInterfaceLosesTheAddress() throws Exception {
        Fixture f = new Fixture(nif("eth0", "192.0.2.10"), nif("wlan0", "192.0.2.20"));
        Route route = new Route(f.routes.bestPath(), SERVER_V4);
        assertTrue(f.routes.stillUsable(route));
        f.table.update(List.of(nif("eth0", "192.0.2.10"), nif("wlan0", "192.0.2.21"))); // a new DHCP lease
        assertFalse(f.routes.stillUsable(route));
        assertEquals("192.0.2.21", f.routes.bestPath().localAddress().getHostAddress());
    }

    @Test
    void withoutRoamingThereIsOneRouteTheHostsDefault() {
        ServerAddresses servers = new ServerAddresses(SERVER_V4);
        RouteChoice routes = new RouteChoice(PathPolicy.any(), new InterfaceTable(), new FailedPaths(), servers, false, () -> 0L);
        assertNull(routes.bestPath());
        Route probe = routes.alternativeTo(null);
        assertNull(probe.path());
        assertEquals(SERVER_V4, probe.target());
        assertTrue(routes.hasPathFor(SERVER_V4.getAddress()));
        assertTrue(routes.stillUsable(probe));
    }
}
