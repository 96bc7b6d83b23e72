package io.roamtun.engine.session;

import io.roamtun.protocol.FleetTicket;
import io.roamtun.protocol.SessionId;

/**
 * How a node of a fleet names its sessions (PROTOCOL.md, "Fleets"): the first bytes of each session id are
 * the node's tag, and the session's WELCOME carries the node's ticket.
 */
public interface NodeNaming {
    /** The first {@link SessionId#NODE_TAG_BYTES} bytes of every session id this node makes. */
    byte[] idTag();

    /** The ticket naming this node as the holder of {@code session}. */
    FleetTicket ticketFor(SessionId session);
}
