package io.roamtun.client.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FailedPathsTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aFailedInterfaceIsSetAsideForLongerWithEachFailureInARow() {
        FailedPaths failed = new FailedPaths();
        long now = 1_000 * S;
        failed.failed("wlan0", now);
        assertTrue(failed.setAside("wlan0", now + 29 * S));
        assertFalse(failed.setAside("wlan0", now + 30 * S), "30 s after the first failure");
        failed.failed("wlan0", now + 30 * S);
        assertTrue(failed.setAside("wlan0", now + 89 * S));
        assertFalse(failed.setAside("wlan0", now + 90 * S), "a minute after the second");
        for (int i = 0; i < 20; i++) {
            failed.failed("wlan0", now + 100 * S);
        }
        assertTrue(failed.setAside("wlan0", now + 399 * S));
        assertFalse(failed.setAside("wlan0", now + 400 * S), "never more than five minutes");
        assertFalse(failed.setAside("wwan0", now), "others are not touched");
    }

    @Test
    void carryingTheSessionAgainLiftsItButAFailureSoonAfterCountsAsAnotherInARow() {
        FailedPaths failed = new FailedPaths();
        failed.failed("wlan0", 0);
        failed.carried("wlan0", 10 * S);
        assertFalse(failed.setAside("wlan0", 10 * S));
        failed.failed("wlan0", 20 * S);
        assertTrue(failed.setAside("wlan0", 79 * S), "the second failure: a minute");
        failed.failed("wlan0", 20 * S + TimeUnit.MINUTES.toNanos(11));
        assertFalse(failed.setAside("wlan0", 20 * S + TimeUnit.MINUTES.toNanos(11) + 30 * S),
                "ten minutes after the last failure the count starts over: 30 s");
    }

    @Test
    void aChangeInTheTableClearsIt() {
        FailedPaths failed = new FailedPaths();
        failed.failed("wlan0", 0);
        failed.failed("wlan0", 0);
        failed.clear("wlan0");
        assertFalse(failed.setAside("wlan0", 1));
        failed.failed("wlan0", 0);
        assertFalse(failed.setAside("wlan0", 30 * S), "the count started over: 30 s again");
    }

    @Test
    void theTableWithoutWhatIsSetAside() throws Exception {
        InterfaceSnapshot wlan = new InterfaceSnapshot("wlan0", 2, true, false, false, 1500, List.of(InetAddress.getByName("192.0.2.2")));
        InterfaceSnapshot wwan = new InterfaceSnapshot("wwan0", 3, true, false, false, 1500, List.of(InetAddress.getByName("198.51.100.2")));
        FailedPaths failed = new FailedPaths();
        failed.failed("wlan0", 0);
        assertEquals(List.of(wwan), failed.notSetAside(List.of(wlan, wwan), 1));
        assertEquals(List.of(wlan, wwan), failed.notSetAside(List.of(wlan, wwan), 31 * S));
    }
}
