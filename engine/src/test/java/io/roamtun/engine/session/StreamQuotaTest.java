package io.roamtun.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StreamQuotaTest {

    @Test
    void aClientStopsAtItsShareAndAllStopAtTheTotal() {
        StreamQuota quota = new StreamQuota(5, 3);
        for (int i = 0; i < 3; i++) {
            assertNull(quota.take("a"));
        }
        assertNotNull(quota.take("a"), "a's share is 3");
        assertNull(quota.take("b"));
        assertNull(quota.take("b"));
        assertNotNull(quota.take("c"), "5 in all");
        quota.release("a");
        assertNull(quota.take("c"), "a stream over: room again");
        assertEquals(5, quota.inUse());
        quota.release("nobody"); // never counted: changes nothing
        assertEquals(5, quota.inUse());
    }

    @Test
    void theTotalLeavesTheReservedDescriptorsAndIsNeverBelowSixteen() {
        assertEquals(19_000, StreamQuota.totalFor(20_000, 1_000));
        assertEquals(16, StreamQuota.totalFor(150, 200));
        assertEquals(Integer.MAX_VALUE, StreamQuota.totalFor(Long.MAX_VALUE, 100));
        assertThrows(IllegalArgumentException.class, () -> new StreamQuota(0, 1));
    }
}
