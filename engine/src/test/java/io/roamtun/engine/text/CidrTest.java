package io.roamtun.engine.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void containsWhatItsPrefixCovers() throws Exception {
        Cidr lan = Cidr.parse("--allow-from", "192.168.1.0/24");
        assertTrue(lan.contains(ip("192.168.1.0")) && lan.contains(ip("192.168.1.255")));
        assertFalse(lan.contains(ip("192.168.2.1")) || lan.contains(ip("::1")));
        Cidr odd = Cidr.parse("x", "10.0.0.0/9");
        assertTrue(odd.contains(ip("10.127.255.255")));
        assertFalse(odd.contains(ip("10.128.0.0")));
        assertTrue(Cidr.parse("x", "0.0.0.0/0").contains(ip("203.0.113.9")));
        assertTrue(Cidr.parse("x", "fd00::/64").contains(ip("fd00::1:2")));
        assertFalse(Cidr.parse("x", "fd00::/64").contains(ip("fd00:0:0:1::1")));
        assertTrue(Cidr.parse("x", "127.77.0.11").contains(ip("127.77.0.11")), "a bare address is one host");
        assertFalse(Cidr.parse("x", "127.77.0.11").contains(ip("127.77.0.12")));
    }

    @Test
    void addressesAreCountedFromTheNetwork() throws Exception {
        Cidr pool = Cidr.parse("--expose-address-pool", "127.77.0.0/30");
        assertEquals(4, pool.size());
        assertEquals(ip("127.77.0.2"), pool.address(2));
        assertEquals(ip("fd00::1:0"), Cidr.parse("x", "fd00::/64").address(65_536));
        assertEquals(Integer.MAX_VALUE, Cidr.parse("x", "fd00::/64").size());
        assertThrows(IndexOutOfBoundsException.class, () -> pool.address(4));
    }

    @Test
    void mistakesAreClearErrors() {
        String[][] cases = {
            {"192.168.1.1/24", "has host bits set (did you mean 192.168.1.0/24?)"},
            {"10.0.0.0/33", "the prefix length must be 0-32"},
            {"10.0.0.0/x", "the prefix length must be 0-32"},
            {"lan.example", "is not an address or network"},
            {"300.1.1.1/8", "is not an address or network"},
            {"", "is not an address or network"},
            {"192.168.1", "is not an address or network"},
            {"10/8", "is not an address or network"},
        };
        for (String[] c : cases) {
            UsageException e = assertThrows(UsageException.class, () -> Cidr.parse("--allow-from", c[0]), c[0]);
            assertTrue(e.getMessage().startsWith("--allow-from: ") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}
