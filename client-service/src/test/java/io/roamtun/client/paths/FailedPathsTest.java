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
        assertTrue(failed.setAside("wlan0", now + 4 * S));
        assertFalse(failed.setAside("wlan0", now + 5 * S), "5 s after the first failure");
        failed.failed("wlan0", now);
        assertTrue(failed.setAside("wlan0", now + 9 * S));
        assertFalse(failed.setAside("wlan0", now + 10 * S), "10 s after the second");
        for (int i = 0; i < 20; i++) {
            failed.failed("wlan0", now);
        }
        assertTrue(failed.setAside("wlan0", now + 59 * S));
        assertFalse(failed.setAside("wlan0", now + 60 * S), "never more than a minute");
        assertFalse(failed.setAside("wwan0", now), "others are not touched");
    }

    @Test
    void aChangeOrASuccessClearsIt() {
        FailedPaths failed = new FailedPaths();
        failed.failed("wlan0", 0);
        failed.clear("wlan0");
        assertFalse(failed.setAside("wlan0", 1));
        failed.failed("wlan0", 0);
        assertTrue(failed.setAside("wlan0", 1), "the count started over: 5 s again");
        assertFalse(failed.setAside("wlan0", 5 * S));
    }

    @Test
    void theTableWithoutWhatIsSetAside() throws Exception {
        InterfaceSnapshot wlan = new InterfaceSnapshot("wlan0", 2, true, false, false, 1500, List.of(InetAddress.getByName("192.0.2.2")));
        InterfaceSnapshot wwan = new InterfaceSnapshot("wwan0", 3, true, false, false, 1500, List.of(InetAddress.getByName("198.51.100.2")));
        FailedPaths failed = new FailedPaths();
        failed.failed("wlan0", 0);
        assertEquals(List.of(wwan), failed.notSetAside(List.of(wlan, wwan), 1));
        assertEquals(List.of(wlan, wwan), failed.notSetAside(List.of(wlan, wwan), 6 * S));
    }
}
