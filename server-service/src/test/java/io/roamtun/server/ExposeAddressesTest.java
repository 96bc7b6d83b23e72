package io.roamtun.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.roamtun.engine.text.Cidr;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ExposeAddressesTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void eachHolderGetsAnAddressOfItsOwnAndKeepsIt() throws Exception {
        ExposeAddresses addresses = new ExposeAddresses(ip("127.0.0.1"));
        Cidr pool = Cidr.parse("pool", "127.77.0.0/24");
        InetAddress desk = addresses.addressFor("client desk", null, pool);
        InetAddress laptop = addresses.addressFor("client laptop", null, pool);
        assertEquals(ip("127.77.0.1"), desk, "the network's own address is skipped");
        assertEquals(ip("127.77.0.2"), laptop);
        assertEquals(desk, addresses.addressFor("client desk", null, pool), "the same while held");
        addresses.release("client desk");
        assertEquals(ip("127.77.0.1"), addresses.addressFor("client phone", null, pool), "given back, handed out again");
        assertNotEquals(ip("127.77.0.1"), addresses.addressFor("client desk", null, pool));
    }

    @Test
    void aFixedAddressWinsAndNoPoolMeansTheDefault() throws Exception {
        ExposeAddresses addresses = new ExposeAddresses(ip("127.0.0.1"));
        assertEquals(ip("127.77.1.5"), addresses.addressFor("client desk", ip("127.77.1.5"), Cidr.parse("pool", "127.77.0.0/24")));
        assertEquals(ip("127.0.0.1"), addresses.addressFor("client laptop", null, null));
    }

    @Test
    void thePoolNeverHandsOutAnAddressFixedForAnotherClient() throws Exception {
        ExposeAddresses addresses = new ExposeAddresses(ip("127.0.0.1"));
        Cidr pool = Cidr.parse("pool", "127.77.0.0/24");
        assertEquals(ip("127.77.0.3"), addresses.addressFor("client desk", null, pool,
                java.util.Set.of(ip("127.77.0.1"), ip("127.77.0.2"))));
    }

    @Test
    void aUsedUpPoolSaysSo() throws Exception {
        ExposeAddresses addresses = new ExposeAddresses(ip("127.0.0.1"));
        Cidr pool = Cidr.parse("pool", "127.77.0.0/30"); // .1 and .2: the network and broadcast addresses are left out
        assertEquals(ip("127.77.0.1"), addresses.addressFor("a", null, pool));
        assertEquals(ip("127.77.0.2"), addresses.addressFor("b", null, pool));
        assertNull(addresses.addressFor("c", null, pool));
        assertEquals(ip("127.77.0.9"), addresses.addressFor("d", null, Cidr.parse("pool", "127.77.0.9/32")), "a one-address pool");
    }
}
