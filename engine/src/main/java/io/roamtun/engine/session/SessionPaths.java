package io.roamtun.engine.session;

import io.roamtun.engine.link.Link;
import io.roamtun.engine.resend.ResumeCheck;
import io.roamtun.engine.resend.SessionSequence;
import io.roamtun.protocol.Capabilities;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.PathControl;
import io.roamtun.protocol.ProtocolException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's MULTIPATH side: links that join beside the one carrying it (a RESUME with JOIN), the PATH
 * frames that say what each is for, and moving the session to one of them without a handshake. The client
 * decides (mode, which link carries the session); the server follows its PATH frames.
 */
public final class SessionPaths {
    private static final Logger log = LoggerFactory.getLogger(SessionPaths.class);

    private final Session session;
    private final SessionLinks links;
    private final SessionSequence sequence;
    /** Client: the mode it asks for (null: one link at a time). */
    private PathControl.Mode wanted;
    private long redundantMax = SessionLinks.DEFAULT_REDUNDANT_MAX;

    SessionPaths(Session session, SessionLinks links, SessionSequence sequence) {
        this.session = session;
        this.links = links;
        this.sequence = sequence;
    }

    /** Both sides speak MULTIPATH in this session. */
    public boolean negotiated() {
        return Capabilities.has(session.capabilities(), Capabilities.MULTIPATH);
    }

    public PathControl.Mode mode() { return links.mode(); }

    /** Links of the session now, the one carrying it included. */
    public int linkCount() { return links.size(); }

    /** Whether {@code link} is one of the session's links. */
    public boolean has(Link link) { return links.contains(link); }

    /** For status: each link's role, round trip, rate and loss. */
    public List<PathFigures> figures() { return links.figures(); }

    // ---- client ---------------------------------------------------------------------------------

    /**
     * Client: the mode to use ({@code null}: one link at a time) and the redundancy rate; told to the server
     * (PATH on the link carrying the session) once MULTIPATH is negotiated, now or at the handshake.
     */
    public void use(PathControl.Mode mode, long redundantMaxBytesPerSecond) {
        wanted = mode;
        redundantMax = redundantMaxBytesPerSecond;
        if (negotiated() && session.link() != null) {
            announce(false);
        }
    }

    /** Client: the session is carried by a new link (WELCOME, RESUMED): the server hears the mode on it. */
    public void announce(boolean metered) {
        if (!negotiated() || wanted == null) {
            return;
        }
        links.use(wanted, redundantMax);
        Link primary = session.link();
        if (primary != null) {
            links.meter(primary, metered);
            primary.sendPath(control(true, metered));
        }
    }

    /** Client: the RESUME with JOIN a second link starts with (as {@link Session#resumeRequest}). */
    public io.roamtun.protocol.Resume joinRequest(byte[] binding, String credential) {
        io.roamtun.protocol.Resume r = session.resumeRequest(binding, credential);
        return new io.roamtun.protocol.Resume(r.sessionId(), r.receivedOffset(), r.sentOffset(), r.attempt(), r.proof(), r.credential(),
                r.fleet(), true);
    }

    /** Client: may a link join now (MULTIPATH, a mode, the session carried, room for one more)? */
    public boolean mayJoin() {
        return negotiated() && wanted != null && session.link() != null && links.mayJoin();
    }

    /** Client: a join's RESUMED arrived on {@code link}: it joins beside the link carrying the session. */
    public void joined(Link link, long serverReceived, byte[] nextNonce, boolean metered) throws ProtocolException {
        if (session.isClosed() || !negotiated() || wanted == null) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUMED of a join in session " + session.label() + ", which takes none");
        }
        sequence.joined(serverReceived, nextNonce);
        links.use(wanted, redundantMax);
        links.join(session, link, metered, false);
        link.sendPath(control(false, metered));
    }

    /** Client: {@code link}, which carried the session, stays beside the new primary (a planned move): the server hears so. */
    public void keepBeside(Link link, boolean metered) {
        links.meter(link, metered);
        link.sendPath(control(false, metered));
    }

    /**
     * Client: {@code link}, one beside the link carrying the session (or carrying none: suspended), carries
     * it from now on, at once: PATH tells the server, both sides send again what the other has not
     * acknowledged. Returns the bytes this side sends again.
     */
    public long promote(Link link, boolean metered) {
        long from;
        try {
            from = sequence.promoted(sequence.replay().highestAck());
        } catch (ProtocolException impossible) { // (the highest ACK is always a frame start within the buffer)
            throw new IllegalStateException(impossible);
        }
        long resending = session.carryOn(link, from, metered);
        link.sendPath(control(true, metered));
        return resending;
    }

    private PathControl control(boolean primary, boolean metered) {
        return new PathControl(wanted, primary, metered, redundantMax, session.receivedOffset());
    }

    // ---- server ---------------------------------------------------------------------------------

    /** Server: a checked RESUME with JOIN: {@code link} joins beside the link carrying the session (RESUMED answers). */
    public void join(Link link, ResumeCheck check) throws ProtocolException {
        if (!negotiated()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUME with JOIN in session " + session.label() + " without MULTIPATH");
        }
        if (links.size() >= SessionLinks.MAX_LINKS) {
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "session " + session.label() + " has " + links.size() + " links (the most)");
        }
        byte[] next = sequence.commitJoin(check);
        link.sendResumed(session.receivedOffset(), session.sentHead(), next);
        links.join(session, link, false, true); // (nothing of the session's on it until the client's PATH)
    }

    /** Server: the client's PATH on {@code link}, one of the session's links. */
    void onPath(Link link, PathControl path) throws ProtocolException {
        if (!negotiated()) {
            throw new ProtocolException(ErrorCode.NOT_SUPPORTED, "PATH without MULTIPATH");
        }
        if (!links.contains(link)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "PATH on a link the session left");
        }
        if (links.mode() != path.mode() || links.redundantMax() != path.redundantMax()) {
            links.use(path.mode(), path.redundantMax());
        }
        links.meter(link, path.metered());
        if (path.primary() && link != session.link()) {
            Link before = session.link();
            long from = sequence.promoted(path.receivedOffset());
            long resending = session.carryOn(link, from, path.metered());
            if (before != null) {
                links.leftBehind(before); // (it may be dead: nothing goes on it until the client says it stays)
            }
            log.info("session {} moved to {} beside {} (the client's choice, no handshake): resending {} bytes",
                    session.label(), link.name(), before != null ? before.name() : "no link", resending);
            session.listener().onSessionPromoted(session, link);
        }
    }
}
