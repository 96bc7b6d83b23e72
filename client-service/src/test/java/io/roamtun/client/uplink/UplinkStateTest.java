package io.roamtun.client.uplink;

import static io.roamtun.client.uplink.UplinkState.ACTIVE;
import static io.roamtun.client.uplink.UplinkState.CONNECTING;
import static io.roamtun.client.uplink.UplinkState.STOPPED;
import static io.roamtun.client.uplink.UplinkState.WAITING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.roamtun.client.uplink.UplinkState.Event;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UplinkStateTest {

    /** The diagram in UplinkState's Javadoc, as a table: every (state, event) not in it must throw. */
    private static final Map<UplinkState, Map<Event, UplinkState>> DIAGRAM = new EnumMap<>(Map.of(
            WAITING, Map.of(Event.ATTEMPT, CONNECTING, Event.WAIT, WAITING, Event.SESSION_ENDED, CONNECTING, Event.STOP, STOPPED),
            CONNECTING, Map.of(Event.ATTEMPT, CONNECTING, Event.WAIT, WAITING, Event.CARRIED, ACTIVE,
                    Event.SESSION_ENDED, CONNECTING, Event.STOP, STOPPED),
            ACTIVE, Map.of(Event.CARRIED, ACTIVE, Event.LINK_LOST, CONNECTING, Event.SESSION_ENDED, CONNECTING, Event.STOP, STOPPED),
            STOPPED, Map.of(Event.STOP, STOPPED)));

    @Test
    void exactlyTheMovesOfTheDiagramAreAllowed() {
        int allowed = 0;
        for (UplinkState from : UplinkState.values()) {
            for (Event event : Event.values()) {
                UplinkState expected = DIAGRAM.get(from).get(event);
                if (expected != null) {
                    assertEquals(expected, from.on(event), from + " + " + event);
                    allowed++;
                } else {
                    assertThrows(IllegalStateException.class, () -> from.on(event), from + " + " + event);
                }
            }
        }
        assertEquals(14, allowed);
    }

    @Test
    void aLinkIsNeverActiveWithoutAnAttemptWinningAndNothingLeavesStopped() {
        // WAITING has no attempt under way, so nothing can win: ACTIVE only comes from CONNECTING (or a move).
        assertThrows(IllegalStateException.class, () -> WAITING.on(Event.CARRIED));
        // A link carries the session: a backoff wait would report the uplink idle while it works.
        assertThrows(IllegalStateException.class, () -> ACTIVE.on(Event.WAIT));
        // Without a link nothing can be lost.
        assertThrows(IllegalStateException.class, () -> CONNECTING.on(Event.LINK_LOST));
        assertThrows(IllegalStateException.class, () -> STOPPED.on(Event.ATTEMPT));
    }
}
