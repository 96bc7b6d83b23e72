package io.roamtun.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FleetTicket;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.SessionId;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import org.junit.jupiter.api.Test;

/** A fleet's redirects: only a ticket a node of the same fleet made, for that session, naming another node, sends a client elsewhere. */
class FleetNodeTest {
    private static PrivateKey newKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair().getPrivate();
    }

    private static Resume resumeWith(SessionId session, FleetTicket ticket) {
        return new Resume(session, 0, 0, 1, new byte[32], "", ticket);
    }

    @Test
    void aTicketOfAnotherNodeOfTheFleetRedirectsThere() throws Exception {
        PrivateKey shared = newKey();
        FleetNode n1 = FleetNode.of("n1", "198.51.100.1:7000", shared);
        FleetNode n2 = FleetNode.of("n2", "198.51.100.2:7000", shared);
        SessionId session = SessionId.random();
        FleetTicket ticket = n1.ticketFor(session);
        assertEquals("198.51.100.1:7000", n2.redirectFor(resumeWith(session, ticket)));
        assertNull(n1.redirectFor(resumeWith(session, ticket)), "its own ticket: the session was lost here, not elsewhere");
        FleetNode n1Renamed = FleetNode.of("n1b", "198.51.100.1:7000", shared);
        assertNull(n1Renamed.redirectFor(resumeWith(session, ticket)), "never a redirect to its own address (a restart under another id)");
        assertNull(n2.redirectFor(resumeWith(session, null)), "no ticket: unknown");
        assertEquals(ErrorCode.REDIRECT, FleetNode.refusalOfUnknown(n2, "link", resumeWith(session, ticket)).code());
        assertEquals("198.51.100.1:7000", FleetNode.refusalOfUnknown(n2, "link", resumeWith(session, ticket)).getMessage());
        assertEquals(ErrorCode.UNKNOWN_SESSION, FleetNode.refusalOfUnknown(null, "link", resumeWith(session, ticket)).code(),
                "a server outside a fleet knows no redirects");
    }

    @Test
    void aForgedOrMovedTicketIsNotFollowed() throws Exception {
        PrivateKey shared = newKey();
        FleetNode n1 = FleetNode.of("n1", "198.51.100.1:7000", shared);
        FleetNode n2 = FleetNode.of("n2", "198.51.100.2:7000", shared);
        SessionId session = SessionId.random();
        FleetTicket real = n1.ticketFor(session);
        FleetTicket elsewhere = new FleetTicket("n1", "203.0.113.66:7000", real.mac()); // the address changed: the MAC no longer fits
        assertNull(n2.redirectFor(resumeWith(session, elsewhere)));
        assertNull(n2.redirectFor(resumeWith(SessionId.random(), real)), "a ticket of another session");
        FleetNode stranger = FleetNode.of("n1", "198.51.100.1:7000", newKey()); // another fleet's key
        assertNull(n2.redirectFor(resumeWith(session, stranger.ticketFor(session))));
        assertEquals(ErrorCode.UNKNOWN_SESSION, FleetNode.refusalOfUnknown(n2, "link", resumeWith(session, elsewhere)).code());
    }

    @Test
    void aNodesSessionIdsNameIt() throws Exception {
        PrivateKey shared = newKey();
        FleetNode n1 = FleetNode.of("n1", "198.51.100.1:7000", shared);
        FleetNode n2 = FleetNode.of("n2", "198.51.100.2:7000", shared);
        SessionId ofN1 = SessionId.tagged(n1.idTag());
        org.junit.jupiter.api.Assertions.assertTrue(ofN1.taggedWith(n1.idTag()));
        org.junit.jupiter.api.Assertions.assertFalse(ofN1.taggedWith(n2.idTag()), "each node its own tag");
        org.junit.jupiter.api.Assertions.assertArrayEquals(n1.idTag(), FleetNode.of("n1", "198.51.100.9:7000", shared).idTag(),
                "the tag follows the node's id, whatever its address");
        // a ticket naming n2 on an id that names the receiving node n1: a forgery or a mix-up, never a redirect
        assertNull(n1.redirectFor(resumeWith(ofN1, n2.ticketFor(ofN1))));
    }

    @Test
    void nodeIdsAndAddressesFollowTheWireRules() {
        assertThrows(IllegalArgumentException.class, () -> FleetNode.of("n 1", "198.51.100.1:7000", newKey()));
        assertThrows(IllegalArgumentException.class, () -> FleetNode.of("n".repeat(65), "198.51.100.1:7000", newKey()));
    }
}
