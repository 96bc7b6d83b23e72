package io.roamtun.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.text.UsageException;
import org.junit.jupiter.api.Test;

class PortRangesTest {
    @Test
    void portsAndRangesAreSortedAndMerged() throws Exception {
        PortRanges r = PortRanges.parse("--allow-expose", " 20050-20100, 8080,20000-20060 ,8081");
        assertEquals("8080-8081,20000-20100", r.toString());
        assertTrue(r.contains(8080) && r.contains(8081) && r.contains(20000) && r.contains(20100));
        assertFalse(r.contains(8079) || r.contains(8082) || r.contains(20101) || r.contains(0));
    }

    @Test
    void blankIsNoPort() throws Exception {
        assertTrue(PortRanges.parse("x", "").isEmpty());
        assertTrue(PortRanges.parse("x", null).isEmpty());
        assertFalse(PortRanges.parse("x", " , ").contains(1));
    }

    @Test
    void badPortsAreClearErrors() {
        for (String bad : new String[] {"0", "65536", "http", "9000-8000", "80-", "-80", "1-2-3"}) {
            UsageException e = assertThrows(UsageException.class, () -> PortRanges.parse("--allow-expose", bad), bad);
            assertTrue(e.getMessage().startsWith("--allow-expose: "), e.getMessage());
        }
    }
}
