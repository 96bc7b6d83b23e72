package io.roamtun.engine.session;

import static io.roamtun.engine.session.StreamState.Event.CONNECTED;
import static io.roamtun.engine.session.StreamState.Event.CONNECT_FAILED;
import static io.roamtun.engine.session.StreamState.Event.LOCAL_FIN;
import static io.roamtun.engine.session.StreamState.Event.OPEN_FAILED;
import static io.roamtun.engine.session.StreamState.Event.OPEN_OK;
import static io.roamtun.engine.session.StreamState.Event.REMOTE_FIN;
import static io.roamtun.engine.session.StreamState.Event.RESET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StreamStateTest {

    private static StreamState run(StreamState from, StreamState.Event... events) {
        StreamState s = from;
        for (StreamState.Event e : events) {
            s = s.on(e);
            if (s == null) {
                return null;
            }
        }
        return s;
    }

    @Test
    void openerPaths() {
        assertEquals(StreamState.OPEN, run(StreamState.OPENING, OPEN_OK));
        assertEquals(StreamState.CLOSED, run(StreamState.OPENING, OPEN_OK, LOCAL_FIN, REMOTE_FIN));
        assertEquals(StreamState.CLOSED, run(StreamState.OPENING, OPEN_OK, REMOTE_FIN, LOCAL_FIN));
        assertEquals(StreamState.LOCAL_CLOSED, run(StreamState.OPENING, LOCAL_FIN, OPEN_OK), "request sent and closed before OPEN_OK");
        assertEquals(StreamState.CLOSED, run(StreamState.OPENING, OPEN_FAILED));
        assertEquals(StreamState.CLOSED, run(StreamState.OPENING, LOCAL_FIN, OPEN_FAILED));
    }

    @Test
    void acceptorPaths() {
        assertEquals(StreamState.OPEN, run(StreamState.CONNECTING, CONNECTED));
        assertEquals(StreamState.REMOTE_CLOSED, run(StreamState.CONNECTING, REMOTE_FIN, CONNECTED));
        assertEquals(StreamState.CLOSED, run(StreamState.CONNECTING, CONNECT_FAILED));
        assertEquals(StreamState.CLOSED, run(StreamState.CONNECTING, REMOTE_FIN, CONNECT_FAILED));
    }

    @Test
    void resetEndsEveryState() {
        for (StreamState s : StreamState.values()) {
            assertEquals(StreamState.CLOSED, s.on(RESET), s.name());
        }
    }

    @Test
    void peerMistakesAreRefused() {
        assertNull(run(StreamState.OPEN, REMOTE_FIN, REMOTE_FIN), "second FIN");
        assertNull(run(StreamState.OPEN, OPEN_OK), "OPEN_OK twice");
        assertNull(run(StreamState.CONNECTING, OPEN_OK), "OPEN_OK to the acceptor");
        assertNull(run(StreamState.OPENING, REMOTE_FIN), "FIN before OPEN_OK");
        assertNull(run(StreamState.CLOSED, REMOTE_FIN));
        assertNull(run(StreamState.CONNECTING, LOCAL_FIN), "no local socket yet");
    }

    @Test
    void whoMayDoWhat() {
        assertEquals(false, StreamState.REMOTE_CLOSED.acceptsPeerData());
        assertEquals(true, StreamState.LOCAL_CLOSED.acceptsPeerData());
        assertEquals(false, StreamState.OPENING.acceptsPeerData(), "DATA comes after OPEN_OK");
        assertEquals(true, StreamState.OPENING.localReadable(), "request bytes may follow OPEN at once");
        assertEquals(false, StreamState.CONNECTING.localConnected());
    }
}
