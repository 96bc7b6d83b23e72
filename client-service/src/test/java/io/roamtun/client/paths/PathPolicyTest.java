package io.roamtun.client.paths;

import static io.roamtun.client.paths.InterfaceTableTest.nif;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathPolicyTest {

    @Test
    void preferenceOrderWithGlobsDecides() throws Exception {
        PathPolicy policy = new PathPolicy(List.of("wl*", "eth0", "wwan*"), List.of());
        List<InterfaceSnapshot> table = List.of(nif("wwan0", 2, true, "198.51.100.2"), nif("eth0", 3, true, "203.0.113.2"),
                nif("wlp2s0", 4, true, "192.0.2.2"));
        assertEquals("wlp2s0", policy.best(table, Inet4Address.class, null).interfaceName());
        assertEquals("192.0.2.2", policy.best(table, Inet4Address.class, null).localAddress().getHostAddress());
        List<InterfaceSnapshot> noWifi = List.of(table.get(0), table.get(1), nif("wlp2s0", 4, false, "192.0.2.2"));
        assertEquals("eth0", policy.best(noWifi, Inet4Address.class, null).interfaceName(), "down interfaces are skipped");
    }

    @Test
    void aMeteredInterfaceComesAfterEveryOneThatIsNotWhateverThePreference() throws Exception {
        PathPolicy policy = new PathPolicy(List.of("wwan0", "wl*"), List.of(), List.of("wwan*"), Multipath.DEFAULT);
        List<InterfaceSnapshot> table = List.of(nif("wwan0", 2, true, "198.51.100.2"), nif("wlan0", 3, true, "192.0.2.2"),
                nif("eth0", 4, true, "203.0.113.2"));
        assertEquals("wlan0", policy.best(table, Inet4Address.class, null).interfaceName());
        assertTrue(policy.rank("eth0") < policy.rank("wwan0"), "unlisted but unmetered ranks before metered");
        assertEquals("wwan0", policy.best(List.of(table.get(0)), Inet4Address.class, null).interfaceName(),
                "a metered interface is used when it is the only one");
        assertTrue(policy.metered("wwan0") && !policy.metered("wlan0"));
    }

    @Test
    void multipathModesAndRatesParseAndBadOnesAreRefusedWithTheirFlagNamed() throws Exception {
        assertEquals(Multipath.DEFAULT, Multipath.parse(null, null));
        assertEquals(null, Multipath.parse("off", null).mode());
        assertEquals(io.roamtun.protocol.PathControl.Mode.AGGREGATE, Multipath.parse("Aggregate", null).mode());
        assertEquals(1 << 20, Multipath.parse("redundant", "1MiB/s").redundantMax());
        io.roamtun.engine.text.UsageException mode = org.junit.jupiter.api.Assertions.assertThrows(io.roamtun.engine.text.UsageException.class,
                () -> Multipath.parse("both", null));
        assertTrue(mode.getMessage().contains("--multipath both"), mode.getMessage());
        io.roamtun.engine.text.UsageException rate = org.junit.jupiter.api.Assertions.assertThrows(io.roamtun.engine.text.UsageException.class,
                () -> Multipath.parse("redundant", "fast"));
        assertTrue(rate.getMessage().contains("--redundant-max"), rate.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(io.roamtun.engine.text.UsageException.class, () -> Multipath.parse(null, "0"));
    }

    @Test
    void unlistedInterfacesComeAfterListedOnesByIndex() throws Exception {
        PathPolicy policy = new PathPolicy(List.of("wwan0"), List.of());
        List<InterfaceSnapshot> table = List.of(nif("eth1", 7, true, "192.0.2.9"), nif("eth0", 3, true, "192.0.2.8"));
        assertEquals("eth0", policy.best(table, Inet4Address.class, null).interfaceName());
        assertEquals(1, policy.rank("eth0"));
        assertEquals(0, policy.rank("wwan0"));
    }

    @Test
    void loopbackVirtualAndExcludedInterfacesAreNeverChosen() throws Exception {
        PathPolicy policy = new PathPolicy(List.of(), List.of("eth*"));
        List<InterfaceSnapshot> table = List.of(nif("lo", 1, true, "127.0.0.1"), nif("docker0", 2, true, "192.0.2.1"),
                nif("veth12ab", 3, true, "192.0.2.3"), nif("eth0", 4, true, "198.51.100.2"), nif("tun0", 5, true, "203.0.113.1"));
        assertNull(policy.best(table, Inet4Address.class, null));
        PathPolicy askingForTun = new PathPolicy(List.of("tun0"), List.of());
        assertEquals("tun0", askingForTun.best(table, Inet4Address.class, null).interfaceName(),
                "naming a default-excluded interface in --prefer allows it");
        PathPolicy excludeWins = new PathPolicy(List.of("eth0"), List.of("eth*"));
        assertNull(excludeWins.usable(table.get(3), Inet4Address.class), "--exclude beats --prefer");
    }

    @Test
    void addressFamilyAndLinkLocalMatter() throws Exception {
        PathPolicy policy = PathPolicy.any();
        InterfaceSnapshot v6only = nif("wlan0", 2, true, "fe80::1", "2001:db8::5");
        assertNull(policy.usable(v6only, Inet4Address.class), "no IPv4 address for an IPv4 server");
        assertEquals("2001:db8:0:0:0:0:0:5", policy.usable(v6only, Inet6Address.class).localAddress().getHostAddress(),
                "link-local addresses are skipped");
        InterfaceSnapshot linkLocalOnly = nif("wlan1", 3, true, "169.254.3.4");
        assertNull(policy.usable(linkLocalOnly, Inet4Address.class));
    }

    @Test
    void pinnedInterfaceWinsWhileUsable() throws Exception {
        PathPolicy policy = new PathPolicy(List.of("wlan0", "wwan0"), List.of());
        List<InterfaceSnapshot> table = List.of(nif("wlan0", 2, true, "192.0.2.2"), nif("wwan0", 3, true, "198.51.100.2"));
        assertEquals("wwan0", policy.best(table, Inet4Address.class, "wwan0").interfaceName());
        List<InterfaceSnapshot> wwanDown = List.of(table.get(0), nif("wwan0", 3, false, "198.51.100.2"));
        assertEquals("wlan0", policy.best(wwanDown, Inet4Address.class, "wwan0").interfaceName(), "falls back when the pin is unusable");
        assertTrue(PathPolicy.glob("w?an*").matcher("wwan0").matches());
    }
}
