package io.roamtun.server;

import io.roamtun.engine.EngineContext;
import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkListener;
import io.roamtun.engine.resend.ResumeCheck;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.SessionListener;
import io.roamtun.engine.session.StreamQuota;
import io.roamtun.engine.session.TrafficCounters;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's sessions, by id: made on HELLO, carried on by RESUME on any later link, kept while
 * suspended for the session timeout, forgotten when they close. Loop thread only.
 */
final class SessionRegistry implements LinkListener, SessionListener {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private final EngineContext engine;
    /** Replaced by a reload (SIGHUP); what cannot change while running is kept ({@link ServerReload}). */
    private ServerConfig config;
    private final ClientAdmission admission;
    private final Map<SessionId, ServerSession> sessions = new HashMap<>();
    /** Every open link, with its number in the order of acceptance. */
    private final Map<Link, Long> links = new LinkedHashMap<>();
    private long linksAccepted;
    /** Links still in their handshake, bounded in all and per source address. */
    private final PendingHandshakes pending;
    /** Streams clients may have this server connect, kept below its descriptor limit. */
    private final StreamQuota streams;
    private boolean draining;
    private final long openFileLimit;
    /** The clients file as last checked for revocations ({@link ClientCredentials#generation()}). */
    private long clientsGeneration = -1;
    private final RegistryCounts counts = new RegistryCounts();
    /** The traffic of sessions that ended, since start. */
    private final TrafficCounters ended = new TrafficCounters();
    private final ExposedPorts exposed;

    /** How often the clients file is checked for revocations that end open sessions. */
    static final long REVOCATION_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    SessionRegistry(EngineContext engine, ServerConfig config) {
        this.engine = engine;
        this.config = config;
        this.admission = new ClientAdmission(config.clients());
        this.pending = new PendingHandshakes(config.maxPendingLinks(), config.maxPendingPerAddress());
        long files = EngineContext.openFileLimit();
        // Every stream costs a descriptor (its backend socket); so do links, handshakes and the JVM's own files.
        int total = StreamQuota.totalFor(files, 64 + (int) Math.min(config.maxPendingLinks(), files / 8)
                + (int) Math.min(config.maxSessions(), files / 8));
        // One client may take most, never all: another client (or its own next session) still gets streams.
        int perClient = config.maxStreamsPerClient() > 0 ? Math.min(config.maxStreamsPerClient(), total)
                : Math.max(16, total / 4 * 3);
        this.streams = new StreamQuota(total, perClient);
        this.openFileLimit = files;
        this.exposed = new ExposedPorts(engine.loop(), () -> draining);
    }

    /** Says at start what the descriptor limit allows. */
    void logLimits() {
        log.info("open files: {} allowed; streams capped at {} in all, {} per client (--max-streams-per-client)",
                openFileLimit == Long.MAX_VALUE ? "unknown" : openFileLimit, streams.total(), streams.perClient());
    }

    /** Loop thread: starts checking the clients file, so a revoked client's open sessions end within a second. */
    void startRevocationChecks() {
        if (config.clients() != null) {
            engine.loop().schedule(REVOCATION_CHECK_NANOS, this::checkRevocations);
        }
    }

    private void checkRevocations() {
        try {
            long generation = config.clients().generation();
            if (generation != clientsGeneration) {
                clientsGeneration = generation;
                for (ServerSession held : new ArrayList<>(sessions.values())) {
                    Session session = held.session;
                    if (session.owner().isEmpty()) {
                        continue;
                    }
                    ClientCredentials.Client client = config.clients().find(session.owner());
                    String why = ClientAdmission.whyNoLongerAdmitted(held, client);
                    if (why != null) {
                        log.warn("{}: ending its session {} ({} streams)", why, session.label(), session.streamCount());
                        endRevoked(session, why);
                    } else {
                        applyServices(session); // new streams and flows, at once
                    }
                }
                exposed.recheck(config.expose(), config.clients()); // a removed expose line closes its ports
            }
        } finally {
            engine.loop().schedule(REVOCATION_CHECK_NANOS, this::checkRevocations);
        }
    }

    /** The TCP and UDP services {@code session}'s client may use, as the configuration and clients file say now. */
    private void applyServices(Session session) {
        session.useServices(admission.servicesOf(session, config.services()));
        session.datagrams().useServices(admission.servicesOf(session, config.udpServices()));
    }

    /** Ends the session of a revoked client: its link gets GOAWAY AUTH_FAILED, its streams are closed. */
    private void endRevoked(Session session, String why) { endSession(session, ErrorCode.AUTH_FAILED, why); }

    /** Ends {@code session}: its streams are reset, and the link carrying it, if any, gets GOAWAY {@code code}. */
    private void endSession(Session session, ErrorCode code, String why) {
        Link carrying = session.link();
        session.close(why);
        if (carrying != null) {
            carrying.close(code, why);
        }
    }

    void add(Link link) {
        links.put(link, ++linksAccepted);
    }

    /** A new link from {@code source} starts its handshake; an older handshake to end to make room, or null. */
    Link startsHandshake(Link link, java.net.InetAddress source) { return pending.admit(link, source); }

    /** SIGHUP: new sessions, and new streams of open ones, get {@code reloaded}'s services and limits. */
    void reconfigure(ServerConfig reloaded) {
        config = reloaded;
        for (ServerSession held : sessions.values()) {
            applyServices(held.session);
        }
        exposed.recheck(config.expose(), config.clients());
    }

    /** SIGTERM: new sessions and streams get SHUTTING_DOWN (a fleet's node says MOVING instead), resumes still work; false when already draining. */
    boolean stopTakingNew() {
        if (draining) {
            return false;
        }
        draining = true;
        if (config.fleet() == null) {
            streams.drain();
        } else { // the clients open new streams in a new session on another node; those already on the way are taken here
            FleetNode.tellMoving(config.fleet(), sessions.values().stream().map(held -> held.session).toList());
        }
        sessions.values().forEach(held -> held.session.datagrams().endFlows()); // what a drain waits for is streams
        return true;
    }

    /** Streams the server has connected and not yet finished, in all sessions. */
    int openStreams() { return streams.inUse(); }

    /** This server as a node of a fleet, or null. */
    FleetNode fleet() { return config.fleet(); }

    @Override
    public void onHello(Link link, Hello hello) throws ProtocolException {
        counted(() -> hello(link, hello));
    }

    @Override
    public void onResume(Link link, Resume resume) throws ProtocolException {
        counted(() -> resume(link, resume));
    }

    private interface Handshake {
        void run() throws ProtocolException;
    }

    /** Runs a handshake step, counting a refusal by its code. */
    private void counted(Handshake step) throws ProtocolException {
        try {
            step.run();
        } catch (ProtocolException refusal) {
            counts.refused(refusal.code());
            throw refusal;
        }
    }

    private void hello(Link link, Hello hello) throws ProtocolException {
        if (draining) {
            log.info("link {}: new session refused: draining", link.name());
            throw new ProtocolException(ErrorCode.SHUTTING_DOWN, "the server-service is shutting down: no new sessions");
        }
        ServiceDirectory services = config.services();
        String owner = "";
        ClientCredentials.Client authenticated = null;
        if (config.clients() != null) {
            ClientCredentials.Client client;
            try {
                client = config.clients().authenticate(hello.credential());
            } catch (ProtocolException refused) {
                log.warn("link {}: refused: {}", link.name(), refused.getMessage());
                throw refused;
            }
            owner = client.name();
            authenticated = client;
            services = services.restrictedTo(client::mayOpen, client.name());
        }
        MemoryBudget budget = engine.budget();
        SessionLimits.admit(link, authenticated != null ? owner : null, sessions.values(), config, budget);
        Session session = new Session(engine.loop(), Role.SERVER, config.session(), engine.segments(), engine.chunks(),
                budget, services, this, link.name());
        ExposedPorts.Answers exposes;
        Welcome welcome;
        try { // a HELLO refused here gives the ports it took over back to the sessions that held them
            exposes = exposed.answer(session, owner, authenticated, config.expose(), hello, config.clients());
            welcome = session.acceptHello(hello, link, owner, exposes.tcp(), exposes.udp(),
                    config.fleet());
        } catch (ProtocolException | RuntimeException refused) {
            exposed.release(session);
            session.discard();
            throw refused;
        }
        exposed.confirm(session);
        session.useQuota(streams);
        applyServices(session);
        sessions.put(session.id(), new ServerSession(session, authenticated != null ? authenticated.secretSha256() : null,
                links.getOrDefault(link, 0L)));
        pending.done(link);
        counts.sessionOpened();
        log.info("session {} opened from {}{} (version {}, {}){}", welcome.sessionId().shortHex(), link.name(),
                owner.isEmpty() ? "" : " for client " + owner, welcome.version(), link.transport().describe(),
                exposes.isEmpty() ? "" : "; exposes " + exposes);
    }

    private void resume(Link link, Resume resume) throws ProtocolException {
        ServerSession held = sessions.get(resume.sessionId());
        if (held == null) { // another node's (redirected there), or unknown
            throw FleetNode.refusalOfUnknown(config.fleet(), link.name(), resume);
        }
        Session session = held.session;
        ResumeCheck check;
        try {
            // The credential first: whoever lacks it learns nothing (not even the attempt number the server
            // holds) and, with offsets it cannot be served from, must not get to end the owner's session.
            admission.checkResumeCredential(link, held, resume);
            check = session.checkResume(resume, link);
        } catch (ProtocolException refused) {
            if (refused.code() == ErrorCode.SESSION_TAKEN_OVER) { // a used attempt number: stale, or replayed
                log.info("link {}: {}; refused, the session is untouched", link.name(), refused.getMessage());
            } else if (refused.code() == ErrorCode.SEQUENCE_ERROR && links.getOrDefault(link, 0L) >= held.newestCarrier) {
                // The client's offsets cannot be served, now or ever: end the session, as the client does, and
                // the link that still carries it, if any, with the same code (a stale RESUME ends nothing).
                log.warn("link {}: {}; session {} cannot be resumed and is closed", link.name(), refused.getMessage(), session.label());
                endSession(session, ErrorCode.SEQUENCE_ERROR, "resume impossible: " + refused.getMessage());
            } else {
                log.warn("link {}: {}; the session is untouched", link.name(), refused.getMessage());
            }
            throw refused;
        }
        long linkNumber = links.getOrDefault(link, 0L);
        if (linkNumber < held.newestCarrier) {
            log.info("link {}: stale RESUME of session {} (a connection opened after this one carries it); refused",
                    link.name(), session.label());
            throw new ProtocolException(ErrorCode.SESSION_TAKEN_OVER,
                    "session " + session.label() + " is carried by a newer connection");
        }
        String notAdmitted = admission.whyNoLongerAdmitted(held);
        if (notAdmitted != null) {
            log.warn("link {}: {}; its session {} is closed", link.name(), notAdmitted, session.label());
            endRevoked(session, notAdmitted);
            throw new ProtocolException(ErrorCode.AUTH_FAILED, notAdmitted);
        }
        Link old = session.link();
        if (resume.join()) { // MULTIPATH: beside the link carrying the session, which keeps it
            session.paths().join(link, check);
            pending.done(link);
            log.info("session {}: link {} joined beside {} ({} links)", session.label(), link.name(), old != null ? old.name() : "none",
                    session.paths().linkCount());
            return;
        }
        long suspendedMillis = TimeUnit.NANOSECONDS.toMillis(session.suspendedForNanos());
        long resending = session.resumeOn(link, check);
        pending.done(link);
        held.newestCarrier = linkNumber;
        held.cancelExpiry();
        counts.resumed();
        if (draining && io.roamtun.protocol.Capabilities.has(session.capabilities(), io.roamtun.protocol.Capabilities.FLEET)) { // (only a node's sessions have it)
            link.sendMoving(); // (a client that was away when the drain began learns it now)
        }
        long clientResends = Math.max(0, check.peerSentHead() - session.receivedOffset());
        if (old != null) {
            old.close(ErrorCode.SESSION_TAKEN_OVER, "session " + session.label() + " moved to another link");
            log.info("session {} moved from {} to {} (taken over while active): resending {} bytes, client resends {}",
                    session.label(), old.name(), link.name(), resending, clientResends);
        } else {
            log.info("session {} resumed from {} after {} ms suspended: resending {} bytes, client resends {}",
                    session.label(), link.name(), suspendedMillis, resending, clientResends);
        }
    }

    @Override
    public void onSessionSuspended(Session session, String reason) {
        ServerSession held = sessions.get(session.id());
        if (held == null) {
            return;
        }
        held.expireAfter(engine.loop(), config.sessionTimeout());
    }

    /** A link beside the one carrying its session heard nothing for half of dead-after: dropped now, so it holds back no frame. */
    @Override
    public void onLinkQuiet(Link link, long quietMillis) {
        if (link.besideItsSession()) {
            link.abort("quiet for " + quietMillis + " ms beside the link carrying its session");
        }
    }

    @Override
    public void onSessionPromoted(Session session, Link link) {
        ServerSession held = sessions.get(session.id());
        if (held != null) { // a RESUME on a connection older than this one is stale from now on
            // Every attempt the client had under way was given up for this move, so none of the connections opened
            // until now may take the session back (a RESUME sent before it was given up may still arrive).
            held.newestCarrier = Math.max(held.newestCarrier, linksAccepted);
            held.cancelExpiry();
            counts.resumed();
        }
    }

    @Override
    public void onLinkClosed(Link link, ErrorCode code, String reason, boolean byPeer) {
        links.remove(link);
        pending.done(link);
        counts.linkClosed(code);
        if (!link.everEstablished() && (code != ErrorCode.NO_ERROR || reason.contains("TLS"))) {
            // A refused certificate or a broken handshake: worth a line. A plain reset is a scanner or a probe.
            log.info("link {} closed before its handshake completed: {}", link.name(), code == ErrorCode.NO_ERROR ? reason : code + " " + reason);
        } else {
            log.debug("link {} closed: {}", link.name(), code == ErrorCode.NO_ERROR ? reason : code + " " + reason);
        }
    }

    @Override
    public void onSessionClosed(Session session, String reason) {
        exposed.release(session);
        ServerSession held = sessions.remove(session.id());
        if (held != null) {
            held.cancelExpiry();
            ended.add(session.traffic());
        }
    }

    /** The sessions held, for status and metrics (loop thread). */
    java.util.Collection<ServerSession> held() { return sessions.values(); }

    /** DATA bytes and streams of every session since start, open or ended. */
    TrafficCounters traffic() {
        TrafficCounters all = new TrafficCounters();
        all.add(ended);
        sessions.values().forEach(h -> all.add(h.session.traffic()));
        return all;
    }

    RegistryCounts counts() { return counts; }

    ExposedPorts exposed() { return exposed; }

    boolean draining() { return draining; }

    int sessionCount() { return sessions.size(); }

    int streamCount() {
        int n = 0;
        for (ServerSession held : sessions.values()) {
            n += held.session.streamCount();
        }
        return n;
    }

    /** Says goodbye to every link and ends every session. */
    void shutdown() {
        for (Link link : new ArrayList<>(links.keySet())) {
            link.close(ErrorCode.SHUTTING_DOWN, "server-service is shutting down");
        }
        for (ServerSession held : new ArrayList<>(sessions.values())) {
            held.session.close("server shutting down");
        }
    }
}
