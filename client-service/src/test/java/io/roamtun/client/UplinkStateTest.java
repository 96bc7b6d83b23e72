package io.roamtun.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UplinkStateTest {

    @Test
    void theMovesOfTheDiagramAreAllowed() {
        assertEquals(UplinkState.CONNECTING, UplinkState.WAITING.next(UplinkState.CONNECTING));
        assertEquals(UplinkState.WAITING, UplinkState.WAITING.next(UplinkState.WAITING));
        assertEquals(UplinkState.ACTIVE, UplinkState.CONNECTING.next(UplinkState.ACTIVE));
        assertEquals(UplinkState.WAITING, UplinkState.CONNECTING.next(UplinkState.WAITING));
        assertEquals(UplinkState.CONNECTING, UplinkState.CONNECTING.next(UplinkState.CONNECTING));
        assertEquals(UplinkState.CONNECTING, UplinkState.ACTIVE.next(UplinkState.CONNECTING));
        assertEquals(UplinkState.ACTIVE, UplinkState.ACTIVE.next(UplinkState.ACTIVE));
        for (UplinkState from : UplinkState.values()) {
            assertEquals(UplinkState.STOPPED, from.next(UplinkState.STOPPED));
        }
    }

    @Test
    void aLinkIsNeverActiveWithoutAnAttemptWinningAndNothingLeavesStopped() {
        // WAITING has no attempt under way, so nothing can win: ACTIVE only comes from CONNECTING (or a move).
        assertThrows(IllegalStateException.class, () -> UplinkState.WAITING.next(UplinkState.ACTIVE));
        // A link carries the session: a backoff wait would report the uplink idle while it works.
        assertThrows(IllegalStateException.class, () -> UplinkState.ACTIVE.next(UplinkState.WAITING));
        for (UplinkState to : UplinkState.values()) {
            if (to != UplinkState.STOPPED) {
                assertThrows(IllegalStateException.class, () -> UplinkState.STOPPED.next(to));
            }
        }
    }
}
