package io.roamtun.client.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ServerAddressesTest {
    private static final Predicate<InetAddress> ANY = a -> true;
    private static final Predicate<InetAddress> IPV4_ONLY = a -> a instanceof Inet4Address;

    private static InetSocketAddress at(String literal) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByAddress("server.test", InetAddress.getByName(literal).getAddress()), 7000);
    }

    @Test
    void oneAddressNeverMoves() throws Exception {
        ServerAddresses servers = new ServerAddresses(at("192.0.2.1"));
        assertFalse(servers.failed(ANY), "nothing else to try: the uplink waits its backoff");
        assertEquals(at("192.0.2.1"), servers.current());
    }

    @Test
    void eachFailureMovesToTheNextAddressAndARoundEndsInAWait() throws Exception {
        InetSocketAddress a = at("192.0.2.1");
        InetSocketAddress b = at("192.0.2.2");
        InetSocketAddress c = at("192.0.2.3");
        ServerAddresses servers = new ServerAddresses(a);
        assertFalse(servers.update(List.of(a, b, c), ANY), "the address in use is among them: it stays");
        assertEquals(a, servers.current());

        assertTrue(servers.failed(ANY), "b has not failed yet: try it at once");
        assertEquals(b, servers.current());
        assertTrue(servers.failed(ANY));
        assertEquals(c, servers.current());
        assertFalse(servers.failed(ANY), "all three failed back to back: now the backoff");
        assertEquals(a, servers.current(), "the attempt after the wait goes to the next one");

        servers.waiting();
        assertTrue(servers.failed(ANY), "a new round after the wait");
        assertEquals(b, servers.current());
        servers.connected(b);
        assertTrue(servers.failed(ANY));
        assertTrue(servers.failed(ANY), "a working address resets the round");
        assertFalse(servers.failed(ANY));
    }

    @Test
    void twoDeadAddressesNeverMakeMoreThanTwoAttemptsPerWait() throws Exception {
        InetSocketAddress a = at("192.0.2.1");
        InetSocketAddress b = at("192.0.2.2");
        ServerAddresses servers = new ServerAddresses(a);
        servers.update(List.of(a, b), ANY);
        for (int wait = 0; wait < 5; wait++) {
            int atOnce = 1; // the attempt the wait started
            while (servers.failed(ANY)) {
                atOnce++;
            }
            assertEquals(2, atOnce, "wait " + wait);
            servers.waiting();
        }
    }

    @Test
    void anAddressOfAFamilyNoInterfaceHasIsPassedOver() throws Exception {
        InetSocketAddress v6 = at("2001:db8::1");
        InetSocketAddress v4 = at("192.0.2.1");
        ServerAddresses servers = new ServerAddresses(null);
        assertNull(servers.current());
        assertTrue(servers.update(List.of(v6, v4), IPV4_ONLY));
        assertEquals(v4, servers.current(), "an IPv4-only client starts on the IPv4 address");
        assertFalse(servers.failed(IPV4_ONLY), "and stays there: the IPv6 one is no retry");
        assertEquals(v4, servers.current());

        assertTrue(servers.update(List.of(v6), IPV4_ONLY), "the name lost its IPv4 address");
        assertEquals(v6, servers.current(), "the only address, even without a path (the uplink waits for one)");
    }

    @Test
    void aFamilyThatLeavesMovesToOneThatStays() throws Exception {
        InetSocketAddress v6 = at("2001:db8::1");
        InetSocketAddress v4 = at("192.0.2.1");
        ServerAddresses servers = new ServerAddresses(v6);
        servers.update(List.of(v6, v4), ANY);
        assertFalse(servers.moveToReachable(ANY), "the address in use still has a path");
        assertTrue(servers.moveToReachable(IPV4_ONLY));
        assertEquals(v4, servers.current());
    }

    @Test
    void aNewAnswerWithoutTheAddressInUseTakesItsFirstAndStartsARound() throws Exception {
        InetSocketAddress a = at("192.0.2.1");
        InetSocketAddress b = at("192.0.2.2");
        InetSocketAddress c = at("198.51.100.7");
        InetSocketAddress d = at("198.51.100.8");
        ServerAddresses servers = new ServerAddresses(a);
        servers.update(List.of(a, b), ANY);
        servers.failed(ANY);
        assertFalse(servers.failed(ANY));
        assertTrue(servers.update(List.of(c, d), ANY), "the server moved");
        assertEquals(c, servers.current());
        assertTrue(servers.failed(ANY), "a new round with the new addresses");
        assertTrue(servers.changedFrom(List.of(a, b)));
        assertFalse(servers.changedFrom(List.of(d, c)), "the same addresses in another order are no change");
    }

    @Test
    void anEmptyAnswerChangesNothing() throws Exception {
        InetSocketAddress a = at("192.0.2.1");
        ServerAddresses servers = new ServerAddresses(a);
        assertFalse(servers.update(List.of(), ANY));
        assertEquals(a, servers.current());
    }

    @Test
    void theAddressThatCarriedTheSessionIsTheOneInUse() throws Exception {
        InetSocketAddress v4 = at("192.0.2.1");
        InetSocketAddress v6 = at("2001:db8::1");
        InetSocketAddress v6b = at("2001:db8::2");
        ServerAddresses servers = new ServerAddresses(v4);
        servers.update(List.of(v4, v6, v6b), ANY);
        assertEquals(List.of(v4, v6), servers.targets(), "the address in use, then the first address of the other family");
        servers.connected(v6);
        assertEquals(v6, servers.current());
        assertEquals(List.of(v6, v4), servers.targets());
        servers.connected(at("198.51.100.1"));
        assertEquals(v6, servers.current(), "an address the name no longer has is not taken");
        assertTrue(servers.use(v4), "the next attempt goes to the other family");
        assertEquals(v4, servers.current());
        assertFalse(servers.use(v4), "already in use");
        assertFalse(servers.use(at("198.51.100.1")), "not one of the name's");
    }
}
