package io.roamtun.server;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FleetTicket;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.SessionId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * This server-service as a node of a fleet ({@code --node-id}, {@code --advertise}): the ticket its
 * WELCOMEs carry, and where a RESUME of a session it does not hold is sent (the node its ticket names).
 * The fleet key comes from the private key every node shares (the same {@code --dir}); a node knows no
 * other node and keeps nothing about them (PROTOCOL.md, "Fleets").
 */
public final class FleetNode implements io.roamtun.engine.session.NodeNaming {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FleetNode.class);
    private final String node;
    private final String advertised;
    private final SecretKeySpec key;
    private final byte[] idTag;

    private FleetNode(String node, String advertised, byte[] key) {
        this.node = node;
        this.advertised = advertised;
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.idTag = java.util.Arrays.copyOf(mac(("roamtun node id tag " + node).getBytes(StandardCharsets.US_ASCII)), SessionId.NODE_TAG_BYTES);
    }

    /** The first bytes of this node's session ids: a MAC of its id, so another fleet's tags tell nothing. */
    @Override
    public byte[] idTag() {
        return idTag.clone();
    }

    /** Node {@code node}, reached at {@code advertised} ("HOST:PORT"), of the fleet whose nodes hold {@code privateKey}. */
    public static FleetNode of(String node, String advertised, PrivateKey privateKey) {
        byte[] encoded = privateKey.getEncoded();
        if (encoded == null) {
            throw new IllegalArgumentException("the server's private key cannot be read out to derive the fleet key");
        }
        new FleetTicket(node, advertised, new byte[io.roamtun.protocol.Wire.FLEET_MAC_BYTES]); // the same checks as the wire's
        return new FleetNode(node, advertised, hmac(new SecretKeySpec(encoded, "HmacSHA256"), "roamtun fleet key v1".getBytes(StandardCharsets.US_ASCII)));
    }

    public String node() {
        return node;
    }

    public String advertised() {
        return advertised;
    }

    /** The ticket naming this node as the holder of {@code session}. */
    @Override
    public FleetTicket ticketFor(SessionId session) {
        return new FleetTicket(node, advertised, mac(FleetTicket.macInput(session, node, advertised)));
    }

    /**
     * Where a RESUME of a session not held here goes: the address in its ticket when a node of this fleet
     * made the ticket for that session and it names another node; null otherwise (no ticket, a forged or
     * foreign one, or this node's own, whose session a restart lost): then the session is unknown.
     */
    public String redirectFor(Resume resume) {
        FleetTicket ticket = resume.fleet();
        if (ticket == null || ticket.node().equals(node) || ticket.address().equals(advertised) || resume.sessionId().taggedWith(idTag)) {
            return null; // (its own address under another name: a node restarted with a new id; no redirect to itself)
        }
        byte[] expected = mac(FleetTicket.macInput(resume.sessionId(), ticket.node(), ticket.address()));
        return MessageDigest.isEqual(expected, ticket.mac()) ? ticket.address() : null;
    }

    /**
     * What a RESUME of a session this server does not hold gets, logged: REDIRECT to the node holding it
     * when {@code fleet} (null outside a fleet) finds one in its ticket, else UNKNOWN_SESSION.
     */
    static ProtocolException refusalOfUnknown(FleetNode fleet, String link, Resume resume) {
        String owner = fleet == null ? null : fleet.redirectFor(resume);
        String session = resume.sessionId().shortHex();
        if (owner != null) {
            log.info("link {}: RESUME of session {}, held by node {}: redirected to {}", link, session, resume.fleet().node(), owner);
            return new ProtocolException(ErrorCode.REDIRECT, owner);
        }
        FleetTicket ticket = resume.fleet();
        log.info("link {}: RESUME of unknown session {} refused ({})", link, session, fleet == null || ticket == null
                ? "expired, or never here" : ticket.node().equals(fleet.node) ? "expired, or lost in a restart of this node"
                : "its ticket, naming node " + ticket.node() + ", was not made by this fleet");
        return new ProtocolException(ErrorCode.UNKNOWN_SESSION, "no session " + session + " here: it expired or was never known");
    }

    /** A drain began: every session with a link hears MOVING (those without one hear it when they resume). */
    static void tellMoving(FleetNode fleet, java.util.List<io.roamtun.engine.session.Session> sessions) {
        sessions.stream().filter(s -> io.roamtun.protocol.Capabilities.has(s.capabilities(), io.roamtun.protocol.Capabilities.FLEET))
                .map(io.roamtun.engine.session.Session::link).filter(java.util.Objects::nonNull)
                .forEach(io.roamtun.engine.link.Link::sendMoving);
        log.info("draining as {}: {} sessions told to open new streams on another node; open streams finish here", fleet, sessions.size());
    }

    private byte[] mac(byte[] input) {
        return hmac(key, input);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "node " + node + " at " + advertised;
    }
}
