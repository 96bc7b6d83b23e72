package io.roamtun.client;

import io.roamtun.client.paths.FailedPaths;
import io.roamtun.client.paths.InterfaceEvent;
import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.InterfaceTable;
import io.roamtun.client.paths.PathChoice;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.EngineContext;
import io.roamtun.engine.config.HostPort;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkListener;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.loop.Timer;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.SessionListener;
import io.roamtun.engine.session.SessionState;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the client's one session carried by a link, whatever the network does. It watches the interface
 * table and picks the path by the policy; when the link's interface goes away or the link goes silent it
 * suspends (the session keeps every stream and buffers) and resumes the session on a new link from the
 * next path; when a better path appears, or the user asks, it resumes on a new link while the old one
 * still carries traffic and only then lets the old one go (make-before-break).
 */
final class Uplink implements LinkListener, SessionListener {
    private static final Logger log = LoggerFactory.getLogger(Uplink.class);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long ATTEMPT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * How much longer an attempt in flight (a move to a better path, a switch, a probe) may take once the link
     * it was to replace is lost: the session is suspended meanwhile, and one that has not answered yet may
     * be stuck for its whole timeout while another interface would answer at once.
     */
    private static final long ATTEMPT_GRACE_AFTER_LOSS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int HANDOVER_HISTORY = 50;

    /** One try at a new link: connect, then HELLO (new session) or RESUME; it ends as the active link or fails. */
    private final class Attempt implements IoHandler {
        final PathChoice path;
        final String cause;
        final boolean planned;
        final Consumer<String> onDone;
        final Consumer<String> onFail;
        /** The server's address this attempt connects to (the name may resolve elsewhere meanwhile). */
        final InetSocketAddress target;
        final SocketChannel channel;
        Link link;
        Timer timeout;
        boolean resuming;

        Attempt(PathChoice path, InetSocketAddress target, String cause, boolean planned, Consumer<String> onDone,
                Consumer<String> onFail) throws IOException {
            this.path = path;
            this.cause = cause;
            this.planned = planned;
            this.onDone = onDone;
            this.onFail = onFail;
            this.target = target;
            this.channel = SocketChannel.open();
        }

        void start() throws IOException {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (path != null) {
                // Binding to the interface's address is how the egress is chosen (no SO_BINDTODEVICE in Java);
                // hosts with several uplinks route by source address.
                channel.bind(new InetSocketAddress(path.localAddress(), 0));
            }
            timeout = engine.loop().schedule(ATTEMPT_TIMEOUT_NANOS, () -> failed(this, "no answer within 5 s"));
            if (channel.connect(target)) {
                connected(null);
            } else {
                engine.loop().register(channel, SelectionKey.OP_CONNECT, this);
            }
        }

        @Override
        public void onReady(SelectionKey key) {
            try {
                if (channel.finishConnect()) {
                    connected(key);
                }
            } catch (IOException e) {
                failed(this, e.getMessage());
            }
        }

        private void connected(SelectionKey key) throws IOException {
            String name = (path != null ? path.interfaceName() + " " : "")
                    + HostPort.format((InetSocketAddress) channel.getLocalAddress()) + "->" + HostPort.format(target);
            link = new Link(engine.loop(), config.transports().wrap(channel, target), Role.CLIENT, config.link(),
                    Uplink.this, name);
            link.start(key);
            if (session.id() == null) {
                link.sendHello(session.hello(config.credential()));
            } else {
                resuming = true;
                link.sendResume(new Resume(session.id(), session.receivedOffset(), session.sentHead(), session.resumeProof()));
            }
        }

        /** Gives the attempt at most {@code nanos} more; true when that moved its deadline closer. */
        boolean shortenTo(long nanos, String reason) {
            if (timeout == null || timeout.deadlineNanos() - System.nanoTime() <= nanos) {
                return false;
            }
            timeout.cancel();
            timeout = engine.loop().schedule(nanos, () -> failed(this, reason));
            return true;
        }

        void abandon() {
            if (timeout != null) {
                timeout.cancel();
            }
            try {
                // Reset rather than close: a closed socket would go on retransmitting what it sent (a RESUME,
                // a HELLO) and could deliver it to the server long after this attempt was given up.
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // not connected yet, or already closed
            }
            if (link != null) {
                link.abort("attempt abandoned");
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // abandoning it
            }
        }

        @Override
        public void onFailure(Throwable bug) {
            failed(this, "internal error: " + bug);
        }

        String pathName() {
            return path != null ? path.toString() : "default route";
        }
    }

    private final EngineContext engine;
    private final ClientConfig config;
    private final PathPolicy policy;
    private final InterfaceTable table = new InterfaceTable();
    private final boolean roaming;
    /** Where the server-service is: the name's addresses and the one in use (loop thread only). */
    private final ServerAddresses servers;
    /** Looks the server's name up again, off the loop; null when it was given as an address. */
    private ServerNameResolver resolver;
    private final ArrayDeque<Handover> handovers = new ArrayDeque<>();
    private UplinkState state = UplinkState.WAITING;
    private Session session;
    private Link active;
    private PathChoice activePath;
    /** The server's address the active link is connected to. */
    private InetSocketAddress activeTarget;
    private Attempt attempt;
    private Timer retryTimer;
    private long backoffNanos = FIRST_BACKOFF_NANOS;
    private int sessionCount;
    private String pinned;
    /** The path of the link last lost or taken over, for the handover's "from" when the session resumes. */
    private PathChoice lostPath;
    /** Interfaces set aside for a while after an attempt through them failed. */
    private final FailedPaths failedPaths = new FailedPaths();
    private long handoverCount;

    Uplink(EngineContext engine, ClientConfig config) {
        this.engine = engine;
        this.config = config;
        this.policy = config.paths();
        this.roaming = config.interfaces() != null;
        this.servers = new ServerAddresses(config.server().isUnresolved() ? null : config.server());
    }

    /** Lets the uplink ask for the server's name to be looked up again (an attempt failed, or it never resolved). */
    void resolveWith(ServerNameResolver resolver) {
        this.resolver = resolver;
    }

    /** Where the next attempt goes; null until the server's name resolves. */
    private InetSocketAddress server() {
        return servers.current();
    }

    /** The address family paths must have to reach the server (IPv4 until its name resolves). */
    private Class<? extends InetAddress> family() {
        return server() != null ? server().getAddress().getClass() : java.net.Inet4Address.class;
    }

    /** Whether interface {@code name} can reach one of the server's addresses. */
    private boolean hasPathVia(String name) {
        InterfaceSnapshot nif = table.get(name);
        return servers.targets().stream().anyMatch(target -> policy.usable(nif, target.getAddress().getClass()) != null);
    }

    /** Whether some interface can reach {@code address} (always, when not roaming). */
    private boolean hasPathFor(InetAddress address) {
        return !roaming || policy.best(table.all(), address.getClass(), pinned) != null;
    }

    /** The server's name resolved (loop thread), to one address or more: used from the next attempt on. */
    void onServerAddresses(List<InetSocketAddress> resolved) {
        if (state == UplinkState.STOPPED || resolved.isEmpty()) {
            return;
        }
        InetSocketAddress was = server();
        List<InetSocketAddress> before = servers.all();
        boolean moved = servers.update(resolved, this::hasPathFor);
        if (resolved.size() > 1 && servers.changedFrom(before)) {
            log.info("server-service {} has {} addresses: {}; each is tried in turn when one does not answer",
                    resolved.get(0).getHostString(), resolved.size(), resolved.stream().map(HostPort::format).toList());
        }
        if (!moved) {
            return;
        }
        log.info("server-service {} is at {}{}", server().getHostString(), HostPort.format(server()),
                was == null ? "" : " (was " + HostPort.format(was) + ")");
        if (active == null && attempt == null) {
            cancelRetry();
            connectNow("server name resolved");
        }
    }

    /** Starts with the interface table as it is now. */
    void start(List<InterfaceSnapshot> firstPoll) {
        if (roaming) {
            table.update(firstPoll);
            log.info("interface table: {}", table.all());
        }
        newSession();
        connectNow("start");
    }

    private void moveTo(UplinkState to) {
        state = state.next(to);
    }

    UplinkState state() {
        return state;
    }

    Session session() {
        return session;
    }

    PathChoice activePath() {
        return activePath;
    }

    Link activeLink() {
        return active;
    }

    InterfaceTable table() {
        return table;
    }

    /** For status: how long {@code name} stays set aside after failing the session, 0 when it is not. */
    long setAsideMillis(String name) {
        return failedPaths.setAsideMillis(name, System.nanoTime());
    }

    /** The interface a switch pinned, or null. */
    String pinned() {
        return pinned;
    }

    /** Handovers since start (the history keeps only the last few). */
    long handoverCount() {
        return handoverCount;
    }

    List<Handover> handovers() {
        return new ArrayList<>(handovers);
    }

    boolean roaming() {
        return roaming;
    }

    private void newSession() {
        sessionCount++;
        session = new Session(engine.loop(), Role.CLIENT, config.session(), engine.segments(), engine.chunks(),
                engine.budget(), ServiceDirectory.empty(), this, "#" + sessionCount);
    }

    /** A local connection for {@code service} was accepted: it becomes a stream even while suspended. */
    void openStream(SocketChannel accepted, String service) throws IOException {
        session.openStream(accepted, service);
    }

    // ---- choosing and changing paths -----------------------------------------------------------

    /** The best path, passing over interfaces set aside after a failure while another is usable. */
    private PathChoice bestPath() {
        if (!roaming) {
            return null;
        }
        PathChoice fresh = freshBestPath();
        return fresh != null ? fresh : policy.best(table.all(), family(), pinned);
    }

    /** The best path among interfaces not set aside, or null. */
    private PathChoice freshBestPath() {
        return roaming ? policy.best(failedPaths.notSetAside(table.all(), System.nanoTime()), family(), pinned) : null;
    }

    /**
     * The best route through another interface than the active one (a quiet path is suspect), to any of the
     * server's address families, preferring interfaces not set aside after a failure; else the best path.
     */
    private Route alternativeRoute() {
        if (!roaming) {
            return new Route(null, server());
        }
        Route fresh = bestOtherThanActive(failedPaths.notSetAside(table.all(), System.nanoTime()));
        if (fresh != null) {
            return fresh;
        }
        Route any = bestOtherThanActive(table.all());
        return any != null ? any : new Route(bestPath(), server());
    }

    private Route bestOtherThanActive(Iterable<InterfaceSnapshot> interfaces) {
        Route best = null;
        int bestRank = Integer.MAX_VALUE;
        for (InetSocketAddress target : servers.targets()) { // the family in use first: on a tie it stays
            for (InterfaceSnapshot nif : interfaces) {
                PathChoice choice = policy.usable(nif, target.getAddress().getClass());
                if (choice != null && (activePath == null || !nif.name().equals(activePath.interfaceName()))
                        && policy.rank(nif.name()) < bestRank) {
                    best = new Route(choice, target);
                    bestRank = policy.rank(nif.name());
                }
            }
        }
        return best;
    }

    /** Whether the interface still has the path's address and can still reach {@code target} (its family). */
    private boolean stillUsable(PathChoice path, InetSocketAddress target) {
        if (path == null) {
            return true;
        }
        InterfaceSnapshot nif = table.get(path.interfaceName());
        return table.holds(path.interfaceName(), path.localAddress()) && policy.usable(nif, target.getAddress().getClass()) != null;
    }

    /** A new poll of the interfaces (on the loop thread). */
    void onInterfacePoll(List<InterfaceSnapshot> poll) {
        if (!roaming || state == UplinkState.STOPPED) {
            return;
        }
        List<InterfaceEvent> events = table.update(poll);
        if (events.isEmpty()) {
            moveToBetterPath(); // an interface set aside after a failure may be due for another try
            return;
        }
        log.info("interface table changed: {}", events);
        for (InterfaceEvent event : events) {
            failedPaths.clear(event.name()); // it changed: whatever failed through it may work now
        }
        reconsider(events.toString());
    }

    /** Acts on a changed table: leave a dead path, move to a better one, or start when one appears. */
    private void reconsider(String why) {
        if (state == UplinkState.STOPPED) {
            return;
        }
        if (pinned != null && !hasPathVia(pinned)) {
            log.info("switch to {} released: the interface is no longer usable; the policy chooses again", pinned);
            pinned = null;
        }
        if (attempt != null && !stillUsable(attempt.path, attempt.target)) {
            Attempt dead = attempt;
            attempt = null;
            dead.abandon();
            dead.onFail.accept("interface " + dead.path.interfaceName() + " is gone");
        }
        if (active != null && !stillUsable(activePath, activeTarget)) {
            String lost = "interface " + activePath.interfaceName() + " lost " + activePath.localAddress().getHostAddress()
                    + " (" + why + ")";
            active.abort(lost); // -> onLinkClosed: the session suspends and a new attempt starts
            return;
        }
        if (active == null && attempt == null && roaming && bestPath() == null) {
            moveToReachableAddress();
        }
        PathChoice best = bestPath();
        if (best == null) {
            return;
        }
        if (active != null) {
            moveToBetterPath();
        } else if (attempt == null) {
            cancelRetry();
            connectNow("interface " + best.interfaceName() + " usable");
        }
    }

    /**
     * While a link carries the session and no attempt runs: starts a make-before-break move to a better
     * interface (ranked higher by --prefer, or the one pinned by a switch) that is not set aside. Called on
     * table changes, on every poll (a set-aside interface comes due), and after an attempt ends, so a
     * preferred interface that came back during an attempt is not forgotten.
     */
    private void moveToBetterPath() {
        if (!roaming || active == null || activePath == null || attempt != null || state != UplinkState.ACTIVE) {
            return;
        }
        Route best = bestRoute(failedPaths.notSetAside(table.all(), System.nanoTime()));
        if (best != null && !best.path().equals(activePath)
                && (policy.rank(best.path().interfaceName()) < policy.rank(activePath.interfaceName())
                    || best.path().interfaceName().equals(pinned))) {
            startAttempt(best.path(), best.target(), "better interface " + best.path().interfaceName() + " available", true,
                    ok -> { }, fail -> { });
        }
    }

    /** A path and the server's address to reach through it. */
    private record Route(PathChoice path, InetSocketAddress target) {}

    /**
     * The best path among {@code interfaces} to the address in use; or, when the best-ranked (or pinned)
     * interface has only another family of the server's name's addresses, to that family's address.
     */
    private Route bestRoute(java.util.Collection<InterfaceSnapshot> interfaces) {
        Route best = null;
        for (InetSocketAddress target : servers.targets()) { // the family in use first: on a tie it stays
            PathChoice choice = policy.best(interfaces, target.getAddress().getClass(), pinned);
            if (choice != null && (best == null || ranksAbove(choice, best.path()))) {
                best = new Route(choice, target);
            }
        }
        return best;
    }

    private boolean ranksAbove(PathChoice a, PathChoice b) {
        boolean aPinned = a.interfaceName().equals(pinned);
        if (aPinned != b.interfaceName().equals(pinned)) {
            return aPinned;
        }
        return policy.rank(a.interfaceName()) < policy.rank(b.interfaceName());
    }

    /** The user asked to move to {@code name}; {@code done} or {@code failed} is called once. */
    void switchTo(String name, Consumer<String> done, Consumer<String> failed) {
        if (state == UplinkState.STOPPED) { // (an admin request still in flight while the service stops)
            failed.accept("client-service is shutting down");
            return;
        }
        if (!roaming) {
            failed.accept("roaming is off (the server is on loopback, or no interface table)");
            return;
        }
        if (server() == null) {
            failed.accept("the server-service's name " + config.server().getHostString() + " does not resolve yet");
            return;
        }
        InterfaceSnapshot nif = table.get(name);
        PathChoice path = null;
        InetSocketAddress target = null;
        for (InetSocketAddress candidate : servers.targets()) { // one with only the name's other family will do
            path = nif == null ? null : policy.usable(nif, candidate.getAddress().getClass());
            if (path != null) {
                target = candidate;
                break;
            }
        }
        if (path == null) {
            failed.accept("interface " + name + " is not usable (missing, down, excluded, or no address for the server)");
            return;
        }
        failedPaths.clear(name); // asked for by name: try it whatever failed before
        if (activePath != null && activePath.equals(path) && attempt == null) {
            pinned = name;
            done.accept("already on " + path);
            return;
        }
        if (attempt != null) {
            Attempt superseded = attempt;
            attempt = null;
            superseded.abandon();
            superseded.onFail.accept("superseded by a switch to " + name);
        }
        // Pinned once the switch worked: a switch that failed leaves the policy (and any earlier pin) alone.
        startAttempt(path, target, "switch to " + name + " requested", active != null, ok -> {
            pinned = name;
            done.accept(ok);
        }, failed);
    }

    private void connectNow(String cause) {
        if (state == UplinkState.STOPPED || attempt != null) {
            return;
        }
        if (server() == null) { // its name has not resolved yet: the resolver's answer starts an attempt at once
            if (resolver != null) {
                resolver.refresh(); // (it says once that the name does not resolve; no line per retry here)
            }
            scheduleRetry();
            return;
        }
        if (roaming && freshBestPath() == null) {
            // Every interface that reaches the address in use has just failed; one that has not may reach the
            // name's other family.
            Route fresh = bestRoute(failedPaths.notSetAside(table.all(), System.nanoTime()));
            InetSocketAddress was = server();
            if (fresh != null && servers.use(fresh.target())) {
                log.info("no interface that has not just failed reaches {}; trying {} via {}", HostPort.format(was),
                        HostPort.format(server()), fresh.path());
            }
        }
        PathChoice path = bestPath();
        if (roaming && path == null && moveToReachableAddress()) {
            path = bestPath();
        }
        if (roaming && path == null) {
            moveTo(UplinkState.WAITING);
            servers.waiting(); // the next network starts a new round of the addresses
            log.warn("no usable interface to reach {}; waiting for one (session {} keeps its streams)",
                    HostPort.format(server()), session.label());
            return;
        }
        startAttempt(path, server(), cause, false, ok -> { }, fail -> { });
    }

    /** No interface reaches the address in use: takes one of a family an interface has; true when it moved. */
    private boolean moveToReachableAddress() {
        InetSocketAddress was = server();
        if (!servers.moveToReachable(this::hasPathFor)) {
            return false;
        }
        log.info("no interface reaches the server-service at {} any more; using its address {}", HostPort.format(was),
                HostPort.format(server()));
        return true;
    }

    private void startAttempt(PathChoice path, InetSocketAddress target, String cause, boolean planned, Consumer<String> done,
            Consumer<String> failed) {
        if (target == null) { // (a switch asked for before the server's name ever resolved)
            failed.accept("the server-service's name " + config.server().getHostString() + " does not resolve yet");
            return;
        }
        cancelRetry();
        try {
            attempt = new Attempt(path, target, cause, planned, done, failed);
            if (active == null) {
                moveTo(UplinkState.CONNECTING);
            }
            attempt.start();
        } catch (IOException e) {
            if (attempt != null) {
                failed(attempt, e.getMessage());
            }
        }
    }

    private void failed(Attempt failedAttempt, String reason) {
        failed(failedAttempt, reason, true);
    }

    /** @param pathAtFault false when the server answered (a refusal): the interface works, it is not set aside */
    private void failed(Attempt failedAttempt, String reason, boolean pathAtFault) {
        if (failedAttempt != attempt) {
            return;
        }
        attempt = null;
        failedAttempt.abandon();
        failedAttempt.onFail.accept(reason);
        if (state == UplinkState.STOPPED) {
            return;
        }
        // An address the name no longer has failed: the server moved, the interface is not to blame.
        boolean targetDropped = !servers.all().contains(failedAttempt.target);
        if (pathAtFault && failedAttempt.path != null && !targetDropped) {
            failedPaths.failed(failedAttempt.path.interfaceName(), System.nanoTime());
        }
        if (active != null) {
            log.warn("could not move to {}: {}; staying on {}", failedAttempt.pathName(), reason,
                    activePath != null ? activePath : active.name());
            moveToBetterPath(); // another interface may have become the better one meanwhile
            return;
        }
        if (resolver != null) {
            resolver.refresh(); // it may have moved; the next attempt takes the new address
        }
        String why = "cannot reach server-service " + HostPort.format(failedAttempt.target) + " via " + failedAttempt.pathName()
                + ": " + reason;
        // The server answered a refusal through this address: it is there. Otherwise its next one, if any.
        boolean anotherAddress = pathAtFault && (failedAttempt.target.equals(server())
                ? servers.failed(this::hasPathFor)
                : targetDropped); // the name moved meanwhile: its new address is untried
        PathChoice next = pathAtFault && failedAttempt.path != null ? freshBestPath() : null;
        if (next != null || anotherAddress) {
            // Another interface, or another of the server's addresses, has not failed yet: try it now rather
            // than the silent one again after a wait.
            log.warn("{}; trying {}", why, anotherAddress ? HostPort.format(server()) + (next != null ? " via " + next : "") : next);
            connectNow("previous path failed");
            return;
        }
        retryLater(why);
    }

    private void retryLater(String why) {
        log.warn("{}; retrying in {} ms", why, TimeUnit.NANOSECONDS.toMillis(backoffNanos));
        scheduleRetry();
    }

    /** Waits, then tries again; each wait twice the last, up to the maximum. */
    private void scheduleRetry() {
        moveTo(UplinkState.WAITING);
        servers.waiting();
        retryTimer = engine.loop().schedule(backoffNanos, () -> connectNow("retry"));
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
    }

    private void cancelRetry() {
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
    }

    // ---- the link's side -----------------------------------------------------------------------

    @Override
    public void onWelcome(Link from, Welcome welcome) throws ProtocolException {
        Attempt won = requireAttempt(from, "WELCOME");
        session.acceptWelcome(welcome, from);
        becomeActive(won);
        log.info("session {} established via {} ({})", welcome.sessionId().shortHex(), from.name(), from.transport().describe());
        won.onDone.accept("connected via " + won.pathName());
        moveToBetterPath();
    }

    @Override
    public void onResumed(Link from, long serverReceived, long serverSent, byte[] nextNonce) throws ProtocolException {
        Attempt won = requireAttempt(from, "RESUMED");
        PathChoice before = activePath != null ? activePath : lostPath;
        lostPath = null;
        Link old = active;
        boolean wasSuspended = session.state() == SessionState.SUSPENDED;
        long resending;
        try {
            resending = session.resumeOn(from, serverReceived);
        } catch (ProtocolException e) {
            log.error("session {} cannot be resumed: {}; its connections are closed and a new session starts",
                    session.label(), e.getMessage());
            attempt = null;
            won.abandon();
            won.onFail.accept("the session could not be resumed: " + e.getMessage());
            session.close("resume impossible: " + e.getMessage());
            throw e;
        }
        session.acceptNextNonce(nextNonce);
        becomeActive(won);
        if (old != null) {
            old.close(ErrorCode.NO_ERROR, "session moved to " + won.pathName());
        }
        long pause = wasSuspended ? TimeUnit.NANOSECONDS.toMillis(session.lastPauseNanos()) : 0;
        Handover h = new Handover(before != null ? before.toString() : (old != null ? old.name() : "none"),
                won.pathName(), won.cause, won.planned, pause, resending,
                Math.max(0, serverSent - session.receivedOffset()), System.currentTimeMillis());
        handovers.addLast(h);
        handoverCount++;
        if (handovers.size() > HANDOVER_HISTORY) {
            handovers.removeFirst();
        }
        log.info("session {} {}", session.label(), h.describe());
        won.onDone.accept("switched to " + won.pathName() + " (pause " + pause + " ms)");
        moveToBetterPath(); // a preferred interface may have come back while this attempt ran
    }

    private Attempt requireAttempt(Link from, String what) throws ProtocolException {
        if (attempt == null || attempt.link != from) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unexpected " + what);
        }
        return attempt;
    }

    private void becomeActive(Attempt won) {
        won.timeout.cancel();
        attempt = null;
        if (won.path != null) {
            failedPaths.carried(won.path.interfaceName(), System.nanoTime());
        }
        active = won.link;
        activePath = won.path;
        activeTarget = won.target;
        moveTo(UplinkState.ACTIVE);
        backoffNanos = FIRST_BACKOFF_NANOS;
        if (!won.target.equals(server())) {
            log.info("server-service reached at {} now (was {})", HostPort.format(won.target), HostPort.format(server()));
        }
        servers.connected(won.target);
    }

    @Override
    public void onLinkQuiet(Link link, long quietMillis) {
        if (link == active && attempt == null && state == UplinkState.ACTIVE) {
            if (activePath != null) {
                // Suspect now: if the probe wins, the session must not move straight back to it.
                failedPaths.failed(activePath.interfaceName(), System.nanoTime());
            }
            Route probe = alternativeRoute();
            log.info("link {} quiet for {} ms; probing {} before it is declared dead", link.name(), quietMillis,
                    (probe.path() != null ? probe.path() : "a new connection")
                            + (probe.target().equals(server()) ? "" : " to " + HostPort.format(probe.target())));
            startAttempt(probe.path(), probe.target(), "link quiet for " + quietMillis + " ms", true, ok -> { }, fail -> { });
        }
    }

    @Override
    public void onLinkClosed(Link closed, ErrorCode code, String reason, boolean byPeer) {
        if (attempt != null && closed == attempt.link) {
            Attempt failedAttempt = attempt;
            if (byPeer && code == ErrorCode.AUTH_FAILED && session.id() == null) {
                // Not a network outage: the apps waiting for this session would wait forever. Reset them
                // (and those connecting later, at each refusal), and keep trying in case the server changes.
                int waiting = session.streamCount();
                log.error("server-service refused this client: {} (check --credential; retrying with backoff{})", reason,
                        waiting > 0 ? "; " + waiting + " waiting connections reset" : "");
                session.discard();
                newSession();
                failed(failedAttempt, code + " " + reason, false);
                return;
            }
            if (byPeer && (code == ErrorCode.UNKNOWN_SESSION || code == ErrorCode.SEQUENCE_ERROR || code == ErrorCode.AUTH_FAILED)) {
                attempt = null;
                failedAttempt.abandon();
                failedAttempt.onFail.accept("the server no longer has the session (" + code + "); a new one starts");
                log.warn("server-service no longer has session {} ({}); resetting its {} connections and starting a new session",
                        session.label(), reason, session.streamCount());
                // Bytes the server had not delivered are gone with it: reset, so no app takes a cut-off
                // transfer for a complete one.
                session.close("server no longer knows the session");
                return;
            }
            // SESSION_TAKEN_OVER: the server has the session on a connection it accepted after this one; the
            // path works, so retry (with the usual backoff) without setting it aside.
            failed(failedAttempt, code == ErrorCode.NO_ERROR ? reason : code + " " + reason,
                    !(byPeer && code == ErrorCode.SESSION_TAKEN_OVER));
            return;
        }
        if (closed != active) {
            return; // a link we moved away from
        }
        // Lost, or taken over by our new link (the server moved the session; its RESUMED is on the way):
        // the handover that follows is from this path. The path failed, unless the server said goodbye or
        // the table took it away (gone, or a new address: no reason to avoid the interface).
        lostPath = activePath;
        if (!byPeer && activePath != null && stillUsable(activePath, activeTarget)
                && !failedPaths.setAside(activePath.interfaceName(), System.nanoTime())) {
            failedPaths.failed(activePath.interfaceName(), System.nanoTime());
        }
        active = null;
        activePath = null;
        activeTarget = null;
        if (state == UplinkState.STOPPED) {
            return;
        }
        moveTo(UplinkState.CONNECTING);
        if (attempt == null) {
            connectNow("link lost: " + reason);
        } else if (!(byPeer && code == ErrorCode.SESSION_TAKEN_OVER && attempt.resuming) // (likely for this attempt's RESUME)
                && attempt.shortenTo(ATTEMPT_GRACE_AFTER_LOSS_NANOS, "no answer within "
                + TimeUnit.NANOSECONDS.toMillis(ATTEMPT_GRACE_AFTER_LOSS_NANOS) + " ms of losing the link it was to replace")) {
            log.info("link lost while an attempt via {} runs; it has {} ms more before another path is tried",
                    attempt.pathName(), TimeUnit.NANOSECONDS.toMillis(ATTEMPT_GRACE_AFTER_LOSS_NANOS));
        }
    }

    @Override
    public void onSessionClosed(Session closed, String reason) {
        if (closed != session || state == UplinkState.STOPPED) {
            return;
        }
        if (attempt != null && attempt.resuming) {
            Attempt stale = attempt; // it resumes the session that just ended; its answer must not touch the new one
            attempt = null;
            stale.abandon();
            stale.onFail.accept("the session ended: " + reason);
        }
        newSession();
        if (active != null) {
            active.close(ErrorCode.NO_ERROR, "session over");
            active = null;
            activePath = null;
            activeTarget = null;
        }
        moveTo(UplinkState.CONNECTING);
        if (attempt == null) {
            connectNow("new session");
        }
    }

    void stop() {
        moveTo(UplinkState.STOPPED);
        cancelRetry();
        if (attempt != null) {
            Attempt abandoned = attempt;
            attempt = null; // first: abandoning it closes its link, which must not count as a failed attempt
            abandoned.abandon();
            abandoned.onFail.accept("client-service is shutting down");
        }
        session.close("client-service shutting down");
        if (active != null) {
            active.close(ErrorCode.NO_ERROR, "client-service is shutting down");
        }
    }
}
