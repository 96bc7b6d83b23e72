package io.roamtun.client.uplink;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.paths.FailedPaths;
import io.roamtun.client.paths.InterfaceEvent;
import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceTable;
import io.roamtun.client.paths.PathChoice;
import io.roamtun.client.uplink.UplinkState.Event;
import io.roamtun.engine.EngineContext;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.SessionListener;
import io.roamtun.engine.session.SessionState;
import io.roamtun.engine.text.HostPort;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the client's session with one server carried by a link, whatever the network does: the
 * {@link UplinkState} machine and its reactions to the interface table, the server's addresses, attempts
 * and links ({@link RouteChoice} picks routes, an {@link Attempt} tries one). A lost link suspends the
 * session and it resumes on a new one; a better path (or the user) moves it make-before-break.
 */
public final class Uplink implements Attempt.Owner, SessionListener {
    private static final Logger log = LoggerFactory.getLogger(Uplink.class);
    /** How much longer an attempt in flight may take once the link it was to replace is lost (another path may answer at once). */
    private static final long ATTEMPT_GRACE_AFTER_LOSS_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EngineContext engine;
    private final ClientConfig config;
    /** The machine's interfaces: this uplink's own, or shared by the uplinks to several servers (who updates it says). */
    private final InterfaceTable table;
    private final boolean roaming;
    /** Where the server-service is: the name's addresses and the one in use (loop thread only). */
    private final ServerAddresses servers;
    /** Interfaces set aside for a while after an attempt through them failed. */
    private final FailedPaths failedPaths = new FailedPaths();
    private final RouteChoice routes;
    private final HandoverLog handovers = new HandoverLog();
    private final ExposeAnswers exposeAnswers;
    private final Connector connector;
    /** MULTIPATH: the session's second link, through another interface. */
    private final SecondLink second;
    /** Its reactions to the interface table, a better path and a switch. */
    private final PathWatch watch;
    private UplinkState state = UplinkState.WAITING;
    private Session session;
    private Carrier carrier;
    private int sessionCount;
    /** The path of the link last lost or taken over, for the handover's "from" when the session resumes. */
    private PathChoice lostPath;

    /** An uplink with an interface table of its own, updated by {@link #start(List)} and {@link #onInterfacePoll}. */
    public Uplink(EngineContext engine, ClientConfig config) {
        this(engine, config, new InterfaceTable());
    }

    /** An uplink to {@code config}'s (one) server over {@code table}, which its owner updates ({@link #onInterfaceEvents}). */
    public Uplink(EngineContext engine, ClientConfig config, InterfaceTable table) {
        this.engine = engine;
        this.config = config;
        this.table = table;
        this.roaming = config.interfaces() != null;
        this.servers = new ServerAddresses(config.server().isUnresolved() ? null : config.server());
        this.routes = new RouteChoice(config.paths(), table, failedPaths, servers, roaming, System::nanoTime);
        this.connector = new Connector(this, engine.loop(), config, routes, servers, failedPaths, roaming);
        this.exposeAnswers = new ExposeAnswers(config.exposes());
        this.second = new SecondLink(this, engine.loop(), config, routes, failedPaths);
        this.watch = new PathWatch(this, table, routes, connector, second, failedPaths, roaming);
    }

    /** The server's answers to the --expose ports. */
    public ExposeAnswers exposes() { return exposeAnswers; }

    /** Lets the uplink ask for the server's name to be looked up again (an attempt failed, or never resolved). */
    public void resolveWith(Runnable refresh) { connector.resolveWith(refresh); }

    /** Starts with its own interface table as {@code firstPoll} says. */
    public void start(List<InterfaceSnapshot> firstPoll) {
        if (roaming) {
            table.update(firstPoll);
            log.info("interface table: {}", table.all());
        }
        start();
    }

    /** Starts with the interface table as it is now. */
    public void start() {
        newSession();
        connector.connectNow("start");
    }

    void on(Event event) { state = state.on(event); }

    /** The route of the attempt under way and whether its link is up (handshaking), or null without one. */
    String attemptUnderWay() {
        Attempt attempt = connector.attempt();
        return attempt == null ? null : attempt.route.target() + (attempt.link() != null ? " handshaking" : " connecting");
    }

    /** The link carrying the session and its route, or null. */
    Carrier carrier() { return carrier; }

    public UplinkState state() { return state; }

    public Session session() { return session; }

    public PathChoice activePath() { return carrier != null ? carrier.route().path() : null; }

    public Link activeLink() { return carrier != null ? carrier.link() : null; }

    public InterfaceTable table() { return table; }

    /** The server-service this uplink keeps a session with. */
    public io.roamtun.client.Upstream upstream() { return config.upstream(); }

    /** For status: how long {@code name} stays set aside after failing the session, 0 when it is not. */
    public long setAsideMillis(String name) { return failedPaths.setAsideMillis(name, System.nanoTime()); }

    /** The interface a switch pinned, or null. */
    public String pinned() { return routes.pinned(); }

    /** Handovers since start (the history keeps only the last few); redirects to a fleet's node holding the session. */
    public long handoverCount() { return handovers.count(); }

    public long redirects() { return servers.redirects(); }

    public List<Handover> handovers() { return handovers.recent(); }

    public boolean roaming() { return roaming; }

    /** For status: the multipath mode and the second link (joined, joining, or none and why). */
    public String multipathDescription() { return second.describe(); }

    void newSession() {
        sessionCount++;
        session = new Session(engine.loop(), Role.CLIENT, config.session(), engine.segments(), engine.chunks(),
                engine.budget(), config.exposeDirectory(), this, config.upstream().name() + "#" + sessionCount);
        session.datagrams().useServices(config.udpExposeDirectory());
        session.paths().use(config.paths().multipath().mode(), config.paths().multipath().redundantMax());
        servers.sessionEnded(); // a fleet's new session starts at the balancer again
    }

    /** A local connection for {@code service} was accepted: it becomes a stream even while suspended. */
    public void openStream(SocketChannel accepted, String service) throws IOException { session.openStream(accepted, service); }

    // ---- the world changes -----------------------------------------------------------------------

    /** The server's name resolved (loop thread), to one address or more: used from the next attempt on. */
    public void onServerAddresses(List<InetSocketAddress> resolved) {
        if (state != UplinkState.STOPPED && !resolved.isEmpty()) {
            connector.onServerAddresses(resolved);
        }
    }

    /** An attempt of the connector starts: a join under way gives way (the server takes RESUME numbers in order). */
    void beforeAttempt() { second.cancelJoin("an attempt to carry the session starts"); }

    /** Whether an attempt of the connector runs (a join waits for it to end). */
    boolean attemptRunning() { return connector.attempt() != null; }

    /** A new poll of the interfaces, into this uplink's own table (loop thread). */
    public void onInterfacePoll(List<InterfaceSnapshot> poll) { watch.onInterfacePoll(poll); }

    /** The table changed by {@code events} (none: a poll that changed nothing). Loop thread. */
    public void onInterfaceEvents(List<InterfaceEvent> events) { watch.onInterfaceEvents(events); }

    /** While a link carries the session and no attempt runs: a move to a better interface ({@link PathWatch#moveToBetterPath}). */
    void moveToBetterPath() { watch.moveToBetterPath(); }

    /** The user asked to move to {@code name}; {@code done} or {@code failed} is called once. */
    public void switchTo(String name, Consumer<String> done, Consumer<String> failed) { watch.switchTo(name, done, failed); }

    /**
     * MULTIPATH: the session moves to its second link at once (PATH, no handshake); the link it leaves stays as
     * the second when the move was planned, else the caller drops it. False when no second link is ready.
     */
    boolean moveToSecond(String cause, boolean planned) {
        Carrier old = carrier;
        PathChoice before = old != null ? old.route().path() : lostPath;
        boolean wasSuspended = session.state() == SessionState.SUSPENDED;
        long unacknowledged = session.unacknowledgedBytes();
        Carrier next = second.takeOver();
        if (next == null) {
            return false;
        }
        if (connector.attempt() != null) {
            connector.supersede("the session moved to its second link via " + next);
        }
        carrier = next;
        lostPath = null;
        on(Event.CARRIED);
        if (next.route().path() != null) {
            failedPaths.carried(next.route().path().interfaceName(), System.nanoTime());
        }
        long pause = wasSuspended ? TimeUnit.NANOSECONDS.toMillis(session.lastPauseNanos()) : 0;
        handovers.record(session.label(), new Handover(before != null ? before.toString() : "none", next.toString(),
                cause + ", to the second link", planned, pause, unacknowledged, 0, System.currentTimeMillis()));
        if (old != null && planned) {
            second.adopt(old);
        }
        return true;
    }

    // ---- the links' side -------------------------------------------------------------------------

    @Override
    public void onWelcome(Link from, Welcome welcome) throws ProtocolException {
        requireAttempt(from, "WELCOME");
        session.acceptWelcome(welcome, from);
        Attempt won = carriedByAttempt();
        log.info("session {} established{} via {} ({})", welcome.sessionId().shortHex(), config.upstream().name().isEmpty() ? ""
                : " with server " + config.upstream().name(), from.name(), from.transport().describe());
        exposeAnswers.answered(welcome);
        won.onDone.accept("connected via " + won.route.pathName());
        moveToBetterPath();
    }

    @Override
    public void onResumed(Link from, long serverReceived, long serverSent, byte[] nextNonce) throws ProtocolException {
        if (second.owns(from)) {
            second.joined(from, serverReceived, nextNonce);
            if (carrier == null) {
                moveToSecond("joined while the session had no link", false); // (it was lost while this join ran)
            }
            return;
        }
        requireAttempt(from, "RESUMED");
        PathChoice before = activePath() != null ? activePath() : lostPath;
        lostPath = null;
        Carrier old = carrier;
        boolean wasSuspended = session.state() == SessionState.SUSPENDED;
        long resending;
        try {
            resending = session.resumeOn(from, serverReceived, nextNonce);
        } catch (ProtocolException e) {
            log.error("session {} cannot be resumed: {}; its connections are closed and a new session starts",
                    session.label(), e.getMessage());
            connector.giveUp("the session could not be resumed: " + e.getMessage());
            session.close("resume impossible: " + e.getMessage());
            throw e;
        }
        Attempt won = carriedByAttempt();
        if (old != null) {
            old.link().close(ErrorCode.NO_ERROR, "session moved to " + won.route.pathName());
        }
        long pause = wasSuspended ? TimeUnit.NANOSECONDS.toMillis(session.lastPauseNanos()) : 0;
        handovers.record(session.label(), new Handover(before != null ? before.toString() : (old != null ? old.link().name() : "none"),
                won.route.pathName(), won.cause, won.planned, pause, resending,
                Math.max(0, serverSent - session.receivedOffset()), System.currentTimeMillis()));
        won.onDone.accept("switched to " + won.route.pathName() + " (pause " + pause + " ms)");
        moveToBetterPath(); // a preferred interface may have come back while this attempt ran
    }

    private void requireAttempt(Link from, String what) throws ProtocolException {
        if (connector.attempt() == null || connector.attempt().link() != from) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unexpected " + what);
        }
    }

    /** The attempt under way won: its link carries the session from now on. */
    private Attempt carriedByAttempt() {
        Attempt won = connector.won();
        if (won.route.path() != null) {
            failedPaths.carried(won.route.path().interfaceName(), System.nanoTime());
        }
        carrier = new Carrier(won.link(), won.route);
        on(Event.CARRIED);
        if (!won.route.target().equals(routes.server())) {
            log.info("server-service reached at {} now (was {})", HostPort.format(won.route.target()), HostPort.format(routes.server()));
        }
        servers.connected(won.route.target());
        session.paths().announce(routes.metered(won.route));
        return won;
    }

    @Override
    public void failed(Attempt failedAttempt, String reason) {
        if (second.owns(failedAttempt)) {
            second.failed(failedAttempt, reason);
            return;
        }
        connector.failed(failedAttempt, reason, true);
    }

    @Override
    public void onLinkQuiet(Link link, long quietMillis) {
        if (second.owns(link)) {
            second.quiet(link, quietMillis);
            return;
        }
        if (carrier != null && link == carrier.link() && state == UplinkState.ACTIVE && second.ready() != null) {
            Carrier quiet = carrier;
            if (activePath() != null) {
                failedPaths.failed(activePath().interfaceName(), System.nanoTime());
            }
            if (moveToSecond("link quiet for " + quietMillis + " ms", false)) {
                quiet.link().abort("quiet for " + quietMillis + " ms; the session moved to its second link");
                return;
            }
        }
        if (carrier == null || link != carrier.link() || connector.attempt() != null || state != UplinkState.ACTIVE) {
            return;
        }
        if (activePath() != null) {
            // Suspect now: if the probe wins, the session must not move straight back to it.
            failedPaths.failed(activePath().interfaceName(), System.nanoTime());
        }
        Route probe = routes.alternativeTo(activePath());
        log.info("link {} quiet for {} ms; probing {} before it is declared dead", link.name(), quietMillis,
                (probe.path() != null ? probe.path() : "a new connection")
                        + (probe.target().equals(routes.server()) ? "" : " to " + HostPort.format(probe.target())));
        connector.start(probe, "link quiet for " + quietMillis + " ms", true, ok -> { }, fail -> { });
    }

    @Override
    public void onLinkClosed(Link closed, ErrorCode code, String reason, boolean byPeer) {
        if (second.owns(closed)) {
            second.linkClosed(closed, reason, byPeer);
        } else if (connector.attempt() != null && closed == connector.attempt().link()) {
            connector.attemptLinkClosed(code, reason, byPeer);
        } else if (carrier != null && closed == carrier.link()) {
            carrierLost(code, reason, byPeer);
        } // else a link we moved away from
    }

    /**
     * The link carrying the session is gone (lost, or taken over by our new link); the handover that follows is
     * from this path. The path failed, unless the server said goodbye (but for KEEPALIVE_TIMEOUT) or the table took it away.
     */
    private void carrierLost(ErrorCode code, String reason, boolean byPeer) {
        Carrier lost = carrier;
        PathChoice path = lost.route().path();
        lostPath = path;
        boolean pathFailed = !byPeer || code == ErrorCode.KEEPALIVE_TIMEOUT;
        if (pathFailed && path != null && routes.stillUsable(lost.route())
                && !failedPaths.setAside(path.interfaceName(), System.nanoTime())) {
            failedPaths.failed(path.interfaceName(), System.nanoTime());
        }
        carrier = null;
        if (state == UplinkState.STOPPED) {
            return;
        }
        on(Event.LINK_LOST);
        if (moveToSecond("link lost: " + reason, false)) {
            return;
        }
        if (connector.attempt() == null) {
            connector.connectNow("link lost: " + reason);
        } else if (!(byPeer && code == ErrorCode.SESSION_TAKEN_OVER && connector.attempt().resuming()) // (likely for this attempt's RESUME)
                && connector.attempt().shortenTo(ATTEMPT_GRACE_AFTER_LOSS_NANOS, "no answer within "
                + TimeUnit.NANOSECONDS.toMillis(ATTEMPT_GRACE_AFTER_LOSS_NANOS) + " ms of losing the link it was to replace")) {
            log.info("link lost while an attempt via {} runs; it has {} ms more before another path is tried",
                    connector.attempt().route.pathName(), TimeUnit.NANOSECONDS.toMillis(ATTEMPT_GRACE_AFTER_LOSS_NANOS));
        }
    }

    @Override
    public void onSessionClosed(Session closed, String reason) {
        if (closed != session || state == UplinkState.STOPPED) {
            return;
        }
        if (moving == null) { // retired (its node drained): no new session here, the uplink that replaced it has one
            stop();
            return;
        }
        if (connector.attempt() != null && connector.attempt().resuming()) {
            connector.giveUp("the session ended: " + reason); // it resumes the session that just ended; its answer must not touch the new one
        }
        second.stop("session over");
        newSession();
        if (carrier != null) {
            Link link = carrier.link();
            carrier = null;
            link.close(ErrorCode.NO_ERROR, "session over");
        }
        on(Event.SESSION_ENDED);
        if (connector.attempt() == null) {
            connector.connectNow("new session");
        }
    }

    /** Runs when the server says MOVING on the carrying link (its node drains); null: retired, it ends with its session. */
    private Runnable moving = () -> { };
    public void onMoving(Runnable replace) { this.moving = replace; }
    public void retire() { moving = null; }

    @Override
    public void onMoving(Link link) {
        if (carrier != null && link == carrier.link() && moving != null) {
            moving.run();
        }
    }

    public void stop() {
        on(Event.STOP);
        connector.cancelRetry();
        if (connector.attempt() != null) {
            connector.giveUp("client-service is shutting down");
        }
        second.stop("client-service is shutting down");
        session.close("client-service shutting down");
        if (carrier != null) {
            carrier.link().close(ErrorCode.NO_ERROR, "client-service is shutting down");
        }
    }
}
