package io.roamtun.engine.session;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.SessionPort;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.resend.AckClock;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.engine.resend.ResumeCheck;
import io.roamtun.engine.resend.SessionSequence;
import io.roamtun.protocol.Capabilities;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams between two agents and the life of the session that carries them: the handshake, the stream
 * table, suspension and resume on a new link, the end. Symmetric: either side opens streams (client odd
 * ids, server even), and either side accepts the peer's OPENs ({@link StreamAdmission}). What it sent and
 * received is its {@link SessionSequence}; streams waiting for room in it wait in its {@link SendQueue}.
 */
public final class Session implements SessionPort {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final EventLoop loop;
    private final Role role;
    private final SessionSettings settings;
    private final BufferPool chunkPool;
    /** Null when the agent has no memory cap (unit tests). */
    private final MemoryBudget budget;
    private final SessionListener listener;
    private final SessionSequence sequence;
    private final SendQueue sendQueue;
    private final QueueMemory queueMemory;
    private final StreamTable streams;
    private final TrafficCounters traffic = new TrafficCounters();
    private final io.roamtun.engine.datagram.SessionDatagrams datagrams;
    private String label;
    private SessionState state = SessionState.ESTABLISHING;
    /** The link carrying the session (null while suspended) and, with MULTIPATH, the links beside it. */
    private final SessionLinks links;
    private final SessionPaths paths;
    private PeerSettings peer = PeerSettings.BEFORE_HANDSHAKE;
    private long suspendedAtNanos;
    private String owner = "";
    private int resumes;
    private long lastPauseNanos = -1;

    /** {@code budget}: the agent's buffer memory cap shared by its sessions (null: none), this one's minimum set aside. */
    public Session(EventLoop loop, Role role, SessionSettings settings, BufferPool segmentPool, BufferPool chunkPool,
                   MemoryBudget budget, ServiceDirectory services, SessionListener listener, String label) {
        this.loop = loop;
        this.role = role;
        this.settings = settings;
        this.chunkPool = chunkPool;
        this.budget = budget;
        this.listener = listener;
        this.label = label;
        ReplayBuffer replay = new ReplayBuffer(segmentPool, settings.replayBufferBytes(), budget);
        AckClock acks = new AckClock(loop, this::requestFlush);
        this.sequence = new SessionSequence(replay, acks);
        this.links = new SessionLinks(replay);
        this.paths = new SessionPaths(this, links, sequence);
        this.sendQueue = new SendQueue(replay, budget, this::requestFlush, acks::writeWithinDelay);
        replay.onRoomFreed(() -> {
            sendQueue.roomFreed();
            links.acknowledged();
        });
        this.streams = new StreamTable(this, role, sequence, new StreamAdmission(settings.maxStreams(), budget, services));
        this.queueMemory = new QueueMemory(budget, chunkPool, this::label, streams::all);
        this.datagrams = new io.roamtun.engine.datagram.SessionDatagrams(loop, role, this::requestFlush, () -> links.primary() != null,
                () -> peer.announcedMaxPayload(), io.roamtun.engine.datagram.SessionDatagrams.DEFAULT_IDLE_TIMEOUT);
        if (budget != null) {
            budget.sessionStarted(queueMemory);
        }
    }

    // ---- the handshake --------------------------------------------------------------------------

    /** The HELLO this side (a client) sends on {@code link}, with its credential ("" when the server wants none). */
    public Hello hello(String credential, Link link) {
        return hello(credential, List.of(), List.of(), link);
    }

    /** As {@link #hello(String, Link)}, asking the server to listen on TCP ports {@code tcp} and UDP ports {@code udp} for it. */
    public Hello hello(String credential, List<Integer> tcp, List<Integer> udp, Link link) {
        return new Hello(Wire.MIN_SESSION_VERSION, Wire.MAX_SESSION_VERSION, Capabilities.offered(link.transport().canBindChannel()),
                settings.streamWindow(), Wire.MAX_PAYLOAD, credential, tcp, udp);
    }

    /**
     * Server side: accepts a HELLO, names the session and starts carrying it on {@code link}; {@code owner}
     * is the authenticated client's name ("" without authentication).
     */
    public Welcome acceptHello(Hello hello, Link link, String owner) throws ProtocolException {
        return acceptHello(hello, link, owner, List.of(), List.of(), null);
    }

    /**
     * As {@link #acceptHello(Hello, Link, String)}, the WELCOME answering the HELLO's TCP and UDP exposes and, when
     * FLEET was negotiated, carrying the ticket of {@code fleet} (null outside a fleet), which also tags the id.
     */
    public Welcome acceptHello(Hello hello, Link link, String owner, List<io.roamtun.protocol.ExposeResult> tcp,
                               List<io.roamtun.protocol.ExposeResult> udp,
                               NodeNaming fleet)
            throws ProtocolException {
        if (hello.maxVersion() < Wire.MIN_SESSION_VERSION || hello.minVersion() > Wire.MAX_SESSION_VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "client speaks versions " + hello.minVersion() + ".."
                    + hello.maxVersion() + ", this server " + Wire.MIN_SESSION_VERSION + ".." + Wire.MAX_SESSION_VERSION);
        }
        int offered = fleet != null ? hello.capabilities() : hello.capabilities() & ~io.roamtun.protocol.Capabilities.FLEET; // (FLEET: a node's only)
        usePeer(PeerSettings.negotiate(offered, hello.initialWindow(), hello.maxPayload(), link.transport().canBindChannel()));
        this.owner = owner;
        Welcome welcome = sequence.welcome(Math.min(hello.maxVersion(), Wire.MAX_SESSION_VERSION), peer.capabilities(),
                settings.streamWindow(), Wire.MAX_PAYLOAD, fleet == null ? null : fleet.idTag()).withExposes(tcp, udp);
        if (fleet != null && io.roamtun.protocol.Capabilities.has(peer.capabilities(), io.roamtun.protocol.Capabilities.FLEET)) {
            welcome = welcome.withFleet(fleet.ticketFor(welcome.sessionId()));
        }
        label = welcome.sessionId().shortHex();
        state = state.next(SessionState.ACTIVE);
        link.sendWelcome(welcome);
        links.carry(this, link, replay().acked(), false);
        return welcome;
    }

    /** Client side: the server's WELCOME arrived on {@code link}. */
    public void acceptWelcome(Welcome welcome, Link link) throws ProtocolException {
        if (welcome.version() < Wire.MIN_SESSION_VERSION || welcome.version() > Wire.MAX_SESSION_VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "server chose version " + welcome.version());
        }
        sequence.welcomed(welcome);
        label = welcome.sessionId().shortHex();
        usePeer(PeerSettings.negotiate(welcome.capabilities(), welcome.initialWindow(), welcome.maxPayload(),
                link.transport().canBindChannel()));
        state = state.next(SessionState.ACTIVE);
        links.carry(this, link, replay().acked(), false);
        streams.addSendWindow(peer.initialWindow());
    }

    // ---- resume ---------------------------------------------------------------------------------

    /**
     * Client: the RESUME that starts a new link for this session, carrying {@code credential} ("" for none);
     * its proof is bound to {@code binding} (the link's exporter value) when the session negotiated it.
     */
    public Resume resumeRequest(byte[] binding, String credential) {
        return sequence.resumeRequest(peer.bindsResumes() ? binding : new byte[0], credential);
    }

    /**
     * Server: checks a RESUME once, changing nothing: UNKNOWN_SESSION when the session is over, AUTH_FAILED
     * for a wrong proof, SEQUENCE_ERROR when this side cannot resend from what the client received.
     */
    public ResumeCheck checkResume(Resume resume, Link link) throws ProtocolException {
        if (state == SessionState.CLOSED) {
            throw new ProtocolException(ErrorCode.UNKNOWN_SESSION, "session " + label + " is over");
        }
        try {
            return sequence.checkResume(resume, peer.bindsResumes() ? link.transport().channelBinding() : new byte[0], label);
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "RESUME of session " + label + ": no channel binding: " + e.getMessage());
        }
    }

    /**
     * Server: carries the session on {@code newLink} from now on: sends RESUMED, then resends from the
     * checked point. Works from SUSPENDED (resume) and from ACTIVE (make-before-break or takeover: the caller
     * closes the old link). Returns the number of bytes that will be resent.
     */
    public long resumeOn(Link newLink, ResumeCheck check) {
        byte[] next = sequence.commitResume(check);
        newLink.sendResumed(receivedOffset(), sentHead(), next);
        return carryOn(newLink, check.resendFrom());
    }

    /** Client: RESUMED arrived on {@code newLink}; returns the number of bytes this side resends. */
    public long resumeOn(Link newLink, long serverReceived, byte[] nextNonce) throws ProtocolException {
        if (state == SessionState.CLOSED || id() == null) { // (a RESUMED answering a HELLO, or for a session over)
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUMED for session " + label + ", which has none to resume");
        }
        return carryOn(newLink, sequence.resumeFromPeer(serverReceived, nextNonce));
    }

    long carryOn(Link newLink, long from) {
        return carryOn(newLink, from, false);
    }

    /** {@code newLink} carries the session from now on, sending from {@code from}; {@code metered}: its interface is. */
    long carryOn(Link newLink, long from, boolean metered) {
        lastPauseNanos = state == SessionState.SUSPENDED ? System.nanoTime() - suspendedAtNanos : 0;
        state = state.next(SessionState.ACTIVE);
        resumes++;
        links.carry(this, newLink, from, metered);
        sendQueue.roomFreed();
        return sentHead() - from;
    }

    // ---- life -----------------------------------------------------------------------------------

    public SessionState state() { return state; }

    public SessionId id() { return sequence.id(); }

    public String label() { return label; }

    /** Client: the fleet ticket of the node holding the session (from WELCOME), for its RESUMEs; null outside a fleet. */
    public io.roamtun.protocol.FleetTicket fleetTicket() { return sequence.fleetTicket(); }

    public int streamCount() { return streams.size(); }

    private void usePeer(PeerSettings negotiated) {
        peer = negotiated;
        datagrams.negotiated(Capabilities.has(peer.capabilities(), Capabilities.DATAGRAMS));
        if (Capabilities.has(peer.capabilities(), Capabilities.MULTIPATH)) {
            streams.holdFramesAhead(Wire.MAX_PAYLOAD);
        }
    }

    /** The session's UDP flows and datagrams. */
    public io.roamtun.engine.datagram.SessionDatagrams datagrams() {
        return datagrams;
    }

    /** The capability bits both sides support ({@link Capabilities}); 0 before the handshake. */
    public int capabilities() { return peer.capabilities(); }

    public TrafficCounters traffic() { return traffic; }

    /**
     * Ends the session: every stream's local socket is reset (bytes may be lost either way, so no clean end
     * of stream may pass a cut-off transfer for a whole one), buffers and UDP flows are freed.
     */
    public void close(String reason) {
        if (state == SessionState.CLOSED) {
            return;
        }
        int count = streams.size();
        end();
        log.info("session {} closed: {} ({} streams reset)", label, reason, count);
        listener.onSessionClosed(this, reason);
    }

    /** Frees a session that never started (HELLO refused): its waiting connections are reset, silently. */
    public void discard() {
        if (state != SessionState.CLOSED) {
            end();
        }
    }

    private void end() {
        state = state.next(SessionState.CLOSED);
        sendQueue.close();
        for (Link other : links.others()) {
            other.close(ErrorCode.NO_ERROR, "session " + label + " is over");
        }
        streams.abandonAll();
        datagrams.close();
        sequence.release();
        if (budget != null) {
            budget.sessionEnded(queueMemory);
        }
    }

    @Override
    public void onLinkLost(Link lost, String reason) {
        if (!links.remove(lost)) {
            return; // a link beside the one carrying the session, or one the session already left
        }
        datagrams.linkLost();
        if (state == SessionState.ACTIVE) {
            state = state.next(SessionState.SUSPENDED);
            suspendedAtNanos = System.nanoTime();
            log.info("session {} suspended: {} ({} streams kept open, {} bytes unacknowledged)", label, reason,
                    streams.size(), replay().unacknowledged());
            listener.onSessionSuspended(this, reason);
        }
    }

    @Override
    public void onGoAway(ErrorCode code, String reason, boolean sentByPeer) {
        close((sentByPeer ? "peer ended the session: " : "ended by ") + code + ": " + reason);
    }

    /** Streams the peer opens, reverse streams and the peer's UDP flows count against {@code quota}, as the owner's. */
    public void useQuota(StreamQuota quota) {
        streams.useQuota(quota, owner);
        datagrams.useQuota(() -> quota.draining() ? "draining" : quota.take(owner), () -> quota.release(owner));
    }

    /** The services the peer may open from now on (the server's client list changed); open streams carry on. */
    public void useServices(ServiceDirectory services) {
        streams.useServices(services);
    }

    /** The client that owns the session ("" without authentication). */
    public String owner() { return owner; }

    /** The link carrying the session now, or null while suspended. */
    @Override
    public Link link() {
        return links.primary();
    }

    /** Offset up to which this side has received the peer's sequence: what a RESUME / RESUMED says. */
    public long receivedOffset() {
        return sequence.acks().received();
    }

    /** Offset after this side's last sequenced frame. */
    public long sentHead() {
        return replay().head();
    }

    /** How long the last suspension lasted, in nanoseconds (0 for a move without one, -1 before any). */
    public long lastPauseNanos() { return lastPauseNanos; }

    public int resumes() { return resumes; }

    public long suspendedForNanos() {
        return state == SessionState.SUSPENDED ? System.nanoTime() - suspendedAtNanos : 0;
    }

    public long unacknowledgedBytes() { return replay().unacknowledged(); }

    /** A local connection was accepted for {@code service}: open a stream to the peer for it. */
    public void openStream(SocketChannel accepted, String service) throws IOException {
        streams.open(accepted, service, state == SessionState.CLOSED);
    }

    /** For status and tests: a line per stream. */
    public List<String> describeStreams() {
        return streams.describe();
    }

    // ---- for the link ----------------------------------------------------------------------------

    /** The router of the peer's session frames: sequence, streams, ACK. */
    @Override
    public StreamTable frames() {
        return streams;
    }

    @Override
    public ReplayBuffer replay() {
        return sequence.replay();
    }

    @Override
    public void afterInboundBatch() throws ProtocolException {
        streams.takeHeld();
        sequence.acks().afterInboundBatch();
    }

    @Override
    public long takeDueAck() {
        return sequence.acks().takeDueAck();
    }

    @Override
    public long ackFor(Link on, long lastOnLink) {
        return links.ackFor(on, lastOnLink, sequence.acks().received(), this::takeDueAck);
    }

    @Override
    public void onPath(Link on, io.roamtun.protocol.PathControl path) throws ProtocolException {
        paths.onPath(on, path);
    }

    SessionListener listener() { return listener; }

    @Override
    public void onLinkBlocked(Link blocked) {
        links.blocked(blocked);
    }

    /** MULTIPATH: how the session's links share its frames. */
    public SessionPaths paths() {
        return paths;
    }

    @Override
    public boolean drainDatagrams(java.util.function.IntFunction<java.nio.ByteBuffer> slot) {
        return datagrams.drainInto(slot);
    }

    void requestFlush() {
        links.requestFlush();
    }

    // ---- for streams ----------------------------------------------------------------------------

    SendQueue sendQueue() { return sendQueue; }

    QueueMemory queueMemory() { return queueMemory; }

    void remove(Stream stream) { streams.remove(stream); }

    /** Ended: nothing more goes through it. */
    public boolean isClosed() { return state == SessionState.CLOSED; }

    EventLoop loop() { return loop; }

    SessionSettings settings() { return settings; }

    MemoryBudget budget() { return budget; }

    BufferPool chunkPool() { return chunkPool; }

    PeerSettings peer() { return peer; }

    @Override
    public String toString() {
        return "session " + label;
    }
}
