package io.roamtun.engine.session;

import io.roamtun.engine.EngineContext;
import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.buffer.ReplayBuffer;
import io.roamtun.engine.config.Sizes;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.SessionPort;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.Timer;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams between two agents and the sequence that carries them. Owns the replay buffer (what this
 * side sent and the peer has not acknowledged) and the count of what it has received, and routes the
 * peer's stream frames to streams. Symmetric: either side opens streams (client odd ids, server even),
 * and either side accepts the peer's OPENs against its {@link ServiceDirectory}.
 */
public final class Session implements SessionPort, MemoryBudget.QueueHolder {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /**
     * An ACK goes out at the latest after this many bytes received: half a replay segment. Less often than
     * the 64 KiB it was, as each stand-alone ACK is a TLS record, a write and a wake-up of the peer's loop;
     * not more than half a segment, as a sender held to its two-segment minimum by the memory budget frees
     * room only when an ACK passes a segment's end, and must not wait for the timer below to get it ...
     */
    static final long ACK_EVERY_BYTES = EngineContext.SEGMENT_BYTES / 2;
    /** ... or this long after the first unacknowledged byte. */
    static final long ACK_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * Refused streams kept beyond {@code --max-streams} until their OPEN_FAIL fits in the replay buffer. A peer
     * that goes on opening streams while not acknowledging the refusals is flooding: its session ends.
     */
    static final int MAX_REFUSALS_OWED = 1024;

    private final EventLoop loop;
    private final Role role;
    private final SessionSettings settings;
    private final BufferPool chunkPool;
    /** What the peer may open; replaced when the server's client list changes (new streams only). */
    private ServiceDirectory services;
    private final SessionListener listener;
    private final ReplayBuffer replay;
    private final Map<Integer, Stream> streams = new HashMap<>();
    private final ArrayDeque<Stream> parked = new ArrayDeque<>();
    /** Null when the agent has no memory cap (unit tests). */
    private final MemoryBudget budget;
    /** Registered with the budget for a wake-up once memory is given back. */
    private boolean waitingForMemory;
    private final ArrayDeque<Stream> deferred = new ArrayDeque<>();
    /** Memory this session's streams hold for slow local sockets (their queues' chunks). */
    private long inboundQueued;
    private String label;

    private SessionState state = SessionState.ESTABLISHING;
    private SessionId id;
    private Link link;
    private int nextLocalStreamId;
    private int highestPeerStreamId;
    private int peerInitialWindow;
    private int peerMaxPayload = Wire.MAX_PAYLOAD;
    private long receivedOffset;
    private long ackSentOffset;
    private Timer ackTimer;
    private long suspendedAtNanos;
    private String owner = "";
    private byte[] secret;
    /** Client: the nonce its next RESUME proves. */
    private byte[] nonce;
    /** Server: the nonces a RESUME may prove. */
    private ResumeNonces resumeNonces;
    private int resumes;
    private long lastPauseNanos = -1;

    /**
     * @param budget  the agent's buffer memory cap, shared by its sessions (null: none); the session's
     *                minimum is set aside in it until {@link #close}
     */
    public Session(EventLoop loop, Role role, SessionSettings settings, BufferPool segmentPool, BufferPool chunkPool,
                   MemoryBudget budget, ServiceDirectory services, SessionListener listener, String label) {
        this.loop = loop;
        this.role = role;
        this.settings = settings;
        this.chunkPool = chunkPool;
        this.services = services;
        this.listener = listener;
        this.budget = budget;
        this.replay = new ReplayBuffer(segmentPool, settings.replayBufferBytes(), budget);
        if (budget != null) {
            budget.sessionStarted(this);
        }
        this.nextLocalStreamId = role.firstStreamId();
        this.label = label;
    }

    // ---- life -----------------------------------------------------------------------------------

    /** The HELLO this side (a client) sends, with its credential ("" when the server wants none). */
    public Hello hello(String credential) {
        return new Hello(Wire.MIN_SESSION_VERSION, Wire.MAX_SESSION_VERSION, Wire.CAPABILITIES_NONE,
                settings.streamWindow(), Wire.MAX_PAYLOAD, credential);
    }

    /** Server side: accepts a HELLO, names the session and starts carrying it on {@code link}. */
    public Welcome acceptHello(Hello hello, Link link) throws ProtocolException {
        return acceptHello(hello, link, "");
    }

    /** As {@link #acceptHello(Hello, Link)}, for an authenticated client named {@code owner}. */
    public Welcome acceptHello(Hello hello, Link link, String owner) throws ProtocolException {
        if (hello.maxVersion() < Wire.MIN_SESSION_VERSION || hello.minVersion() > Wire.MAX_SESSION_VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "client speaks versions " + hello.minVersion() + ".."
                    + hello.maxVersion() + ", this server " + Wire.MIN_SESSION_VERSION + ".." + Wire.MAX_SESSION_VERSION);
        }
        id = SessionId.random();
        label = id.shortHex();
        applyPeerSettings(hello.initialWindow(), hello.maxPayload());
        this.owner = owner;
        secret = ResumeProof.randomSecret();
        byte[] firstNonce = ResumeProof.randomNonce();
        resumeNonces = new ResumeNonces(firstNonce);
        Welcome welcome = new Welcome(Math.min(hello.maxVersion(), Wire.MAX_SESSION_VERSION), Wire.CAPABILITIES_NONE,
                settings.streamWindow(), Wire.MAX_PAYLOAD, id, secret, firstNonce);
        this.link = link;
        state = state.next(SessionState.ACTIVE);
        link.establish(welcome, this);
        return welcome;
    }

    /** Client side: the server's WELCOME arrived on {@code link}. */
    public void acceptWelcome(Welcome welcome, Link link) throws ProtocolException {
        if (welcome.version() < Wire.MIN_SESSION_VERSION || welcome.version() > Wire.MAX_SESSION_VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "server chose version " + welcome.version());
        }
        id = welcome.sessionId();
        label = welcome.sessionId().shortHex();
        secret = welcome.sessionSecret().clone();
        nonce = welcome.resumeNonce().clone();
        applyPeerSettings(welcome.initialWindow(), welcome.maxPayload());
        this.link = link;
        state = state.next(SessionState.ACTIVE);
        link.attach(this, replay.acked());
        for (Stream stream : new ArrayList<>(streams.values())) {
            stream.addSendWindow(peerInitialWindow);
        }
    }

    private void applyPeerSettings(int initialWindow, int maxPayload) {
        peerInitialWindow = initialWindow;
        peerMaxPayload = Math.min(maxPayload, Wire.MAX_PAYLOAD);
    }

    public SessionState state() {
        return state;
    }

    public SessionId id() {
        return id;
    }

    public String label() {
        return label;
    }

    public int streamCount() {
        return streams.size();
    }

    /**
     * Ends the session: every stream still in it has its local socket reset, and buffers are freed. A
     * stream still open when its session ends may have lost bytes either way (in this side's buffers, or
     * in the peer's, which this side cannot see), so its app or backend must not get a clean end of
     * stream that would pass a cut-off transfer for a whole one: a TCP reset says the connection broke.
     */
    public void close(String reason) {
        if (state == SessionState.CLOSED) {
            return;
        }
        state = state.next(SessionState.CLOSED);
        int count = streams.size();
        abandonStreams();
        if (ackTimer != null) {
            ackTimer.cancel();
        }
        releaseBuffers();
        log.info("session {} closed: {} ({} streams reset)", label, reason, count);
        listener.onSessionClosed(this, reason);
    }

    /**
     * Frees a session that never started (its HELLO was refused): the connections waiting in it, if any
     * (a client's apps that connected before the refusal), are reset; no listener is told, nothing logged.
     */
    public void discard() {
        if (state == SessionState.CLOSED) {
            return;
        }
        state = state.next(SessionState.CLOSED);
        abandonStreams();
        releaseBuffers();
    }

    /** Resets every stream's local socket and forgets the streams (the session is over). */
    private void abandonStreams() {
        for (Stream stream : new ArrayList<>(streams.values())) {
            stream.abandon();
        }
        streams.clear();
        parked.clear();
        deferred.clear();
    }

    /** The replay buffer's segments back to the pool, and this session's minimum back to the budget. */
    private void releaseBuffers() {
        replay.release();
        if (budget != null) {
            budget.sessionEnded(this);
        }
    }

    @Override
    public void onLinkLost(Link lost, String reason) {
        if (lost != link) {
            return; // a link the session already left
        }
        link = null;
        if (state == SessionState.ACTIVE) {
            state = state.next(SessionState.SUSPENDED);
            suspendedAtNanos = System.nanoTime();
            log.info("session {} suspended: {} ({} streams kept open, {} bytes unacknowledged)", label, reason,
                    streams.size(), replay.unacknowledged());
            listener.onSessionSuspended(this, reason);
        }
    }

    @Override
    public void endByError(ErrorCode code, String reason) {
        close("ended by " + code + ": " + reason);
    }

    @Override
    public void onPeerGoAway(ErrorCode code, String message) {
        close("peer ended the session: " + code + " " + message);
    }

    /** The services the peer may open from now on (the server's client list changed); open streams carry on. */
    public void useServices(ServiceDirectory services) {
        this.services = services;
    }

    /** The client that owns the session ("" without authentication). */
    public String owner() {
        return owner;
    }

    /** Client: the proof for the next RESUME. */
    public byte[] resumeProof() {
        return ResumeProof.compute(secret, id, nonce);
    }

    /** Client: the server handed out the nonce for the resume after this one. */
    public void acceptNextNonce(byte[] next) {
        nonce = next.clone();
    }

    /**
     * Server: checks a RESUME's proof against the nonces the client may hold ({@link ResumeNonces}).
     * Changes nothing: a wrong proof, or a resume refused for another reason, leaves the session exactly
     * as it was.
     */
    public void verifyResumeProof(byte[] proof) throws ProtocolException {
        if (resumeNonces == null || resumeNonces.provenBy(proof, secret, id) == null) {
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "RESUME of session " + label + " with a wrong proof; refused");
        }
    }

    /** Server: the resume proved with {@code proof} (verified) is accepted; returns the nonce for its RESUMED. */
    public byte[] nextResumeNonce(byte[] proof) {
        byte[] proven = resumeNonces.provenBy(proof, secret, id);
        if (proven == null) {
            throw new IllegalStateException("nextResumeNonce without a verified proof");
        }
        return resumeNonces.accepted(proven);
    }

    /** The link carrying the session now, or null while suspended. */
    @Override
    public Link link() {
        return link;
    }

    /** Offset up to which this side has received the peer's sequence: what a RESUME / RESUMED says. */
    public long receivedOffset() {
        return receivedOffset;
    }

    /** Offset after this side's last sequenced frame. */
    public long sentHead() {
        return replay.head();
    }

    /**
     * Checks that the peer's "received up to" is something this side can resend from: a frame start
     * still in the replay buffer. A peer further behind than the buffer holds cannot be served.
     */
    public void checkResumable(long peerReceived) throws ProtocolException {
        if (state == SessionState.CLOSED || id == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_SESSION, "session " + label + " is over");
        }
        ResendPoint.of(replay, peerReceived);
    }

    /**
     * Carries the session on {@code newLink} from now on, resending everything from {@code peerReceived}.
     * Works from SUSPENDED (resume) and from ACTIVE (make-before-break or takeover: the caller closes the
     * old link). Returns the number of bytes that will be resent.
     */
    public long resumeOn(Link newLink, long peerReceived) throws ProtocolException {
        checkResumable(peerReceived);
        long from = ResendPoint.of(replay, peerReceived);
        replay.acknowledge(from);
        if (state == SessionState.SUSPENDED) {
            lastPauseNanos = System.nanoTime() - suspendedAtNanos;
        } else {
            lastPauseNanos = 0;
        }
        state = state.next(SessionState.ACTIVE);
        link = newLink;
        resumes++;
        // ACKs sent on the old link after the peer moved may have been dropped with it: say it again here.
        ackSentOffset = -1;
        newLink.attach(this, from);
        resumeWaitingStreams();
        return replay.head() - from;
    }

    /** How long the last suspension lasted, in nanoseconds (0 for a move without one, -1 before any). */
    public long lastPauseNanos() {
        return lastPauseNanos;
    }

    public int resumes() {
        return resumes;
    }

    public long suspendedForNanos() {
        return state == SessionState.SUSPENDED ? System.nanoTime() - suspendedAtNanos : 0;
    }

    public long unacknowledgedBytes() {
        return replay.unacknowledged();
    }

    // ---- streams this side opens -----------------------------------------------------------------

    /** A local connection was accepted for {@code service}: open a stream to the peer for it. */
    public void openStream(SocketChannel accepted, String service) throws IOException {
        if (state == SessionState.CLOSED || nextLocalStreamId < 0 || streams.size() >= settings.maxStreams()) {
            log.warn("session {}: refusing a connection for {}: {}", label, service,
                    state == SessionState.CLOSED ? "session closed" : "stream limit " + settings.maxStreams() + " reached");
            accepted.close();
            return;
        }
        int streamId = nextLocalStreamId;
        nextLocalStreamId += 2;
        Stream stream = Stream.opening(this, streamId, service, accepted);
        streams.put(streamId, stream);
        log.debug("session {}: stream {} opened for service {}", label, streamId, service);
        sendOwedFrames(stream);
    }

    // ---- frames from the peer --------------------------------------------------------------------

    @Override
    public boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException {
        if (seq == receivedOffset) {
            receivedOffset += frameBytes;
            return true;
        }
        if (seq >= 0 && seq <= receivedOffset - frameBytes) {
            return false; // a replayed frame we already have
        }
        throw new ProtocolException(ErrorCode.SEQUENCE_ERROR,
                type + " at offset " + seq + " but " + receivedOffset + " was expected");
    }

    @Override
    public void onOpen(int streamId, String service) throws ProtocolException {
        if (state == SessionState.CLOSED) {
            return; // frames still arriving on the link of a session that was just ended
        }
        if (streamId <= highestPeerStreamId && highestPeerStreamId != 0) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID, "OPEN reuses stream id " + streamId);
        }
        highestPeerStreamId = streamId;
        if (streams.size() - settings.maxStreams() >= MAX_REFUSALS_OWED) {
            log.warn("session {}: the peer opened stream {} with {} streams held, {} of them refusals it has not "
                    + "acknowledged; ending the session", label, streamId, streams.size(), streams.size() - settings.maxStreams());
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "too many streams opened while the refusals of earlier "
                    + "ones are not acknowledged (limit " + settings.maxStreams() + " streams)");
        }
        InetSocketAddress target = services.resolve(service);
        Stream stream;
        if (target == null) {
            String why = services.whyNot(service);
            log.info("session {}: stream {} refused: {}", label, streamId, why);
            stream = Stream.refused(this, streamId, service, ErrorCode.UNKNOWN_SERVICE, why);
        } else if (streams.size() >= settings.maxStreams()) {
            log.warn("session {}: stream {} refused: stream limit {} reached", label, streamId, settings.maxStreams());
            stream = Stream.refused(this, streamId, service, ErrorCode.STREAM_LIMIT,
                    "stream limit " + settings.maxStreams() + " reached");
        } else if (budget != null && budget.overLimit()) {
            log.debug("session {}: stream {} refused: buffer memory over its budget", label, streamId); // the budget logs the episode
            stream = Stream.refused(this, streamId, service, ErrorCode.STREAM_LIMIT,
                    "buffer memory is over its budget (--max-buffer-memory " + Sizes.format(budget.limit()) + "); try again later");
        } else {
            stream = Stream.connecting(this, streamId, service);
            streams.put(streamId, stream);
            log.debug("session {}: stream {} connecting to {} ({})", label, streamId, service, target);
            stream.connect(target);
            return;
        }
        streams.put(streamId, stream);
        sendOwedFrames(stream);
    }

    /** The stream a frame names; null when the stream is over (the frame is then ignored). */
    private Stream stream(FrameType type, int streamId) throws ProtocolException {
        Stream stream = streams.get(streamId);
        if (stream != null) {
            return stream;
        }
        boolean seenBefore = role.opens(streamId) ? streamId < nextLocalStreamId || nextLocalStreamId < 0
                : streamId <= highestPeerStreamId;
        if (!seenBefore) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID, type + " for stream " + streamId + " that was never opened");
        }
        return null;
    }

    /** Applies a frame to a stream; a stream-level violation resets that stream and nothing else. */
    private interface StreamAction {
        void apply(Stream stream) throws ProtocolException;
    }

    private void onStreamFrame(FrameType type, int streamId, StreamAction action) throws ProtocolException {
        Stream stream = stream(type, streamId);
        if (stream == null) {
            return;
        }
        try {
            action.apply(stream);
        } catch (ProtocolException e) {
            if (e.isConnectionError()) {
                throw e;
            }
            log.warn("session {}: {}; resetting the stream", label, e.toString());
            stream.reset(e.code());
        }
    }

    @Override
    public void onOpenOk(int streamId) throws ProtocolException {
        requireOwn(FrameType.OPEN_OK, streamId);
        onStreamFrame(FrameType.OPEN_OK, streamId, Stream::onOpenOk);
    }

    @Override
    public void onOpenFail(int streamId, ErrorCode code, String message) throws ProtocolException {
        requireOwn(FrameType.OPEN_FAIL, streamId);
        onStreamFrame(FrameType.OPEN_FAIL, streamId, s -> s.onOpenFail(code, message));
    }

    private void requireOwn(FrameType type, int streamId) throws ProtocolException {
        if (!role.opens(streamId)) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID, type + " for stream " + streamId + " that the peer opened");
        }
    }

    @Override
    public void onData(int streamId, ByteBuffer payload) throws ProtocolException {
        onStreamFrame(FrameType.DATA, streamId, s -> s.onPeerData(payload));
    }

    @Override
    public void onFin(int streamId) throws ProtocolException {
        onStreamFrame(FrameType.FIN, streamId, Stream::onPeerFin);
    }

    @Override
    public void onReset(int streamId, ErrorCode code) throws ProtocolException {
        onStreamFrame(FrameType.RESET, streamId, s -> s.onPeerReset(code));
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) throws ProtocolException {
        onStreamFrame(FrameType.WINDOW_UPDATE, streamId, s -> s.onWindowUpdate(increment));
    }

    @Override
    public void onAck(long offset) {
        replay.acknowledge(offset);
        resumeWaitingStreams();
    }

    @Override
    public void onDatagram(int flowId, ByteBuffer payload) throws ProtocolException {
        throw new ProtocolException(ErrorCode.NOT_SUPPORTED, "DATAGRAM was not negotiated");
    }

    @Override
    public void onHello(Hello hello) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "HELLO inside a session");
    }

    @Override
    public void onWelcome(Welcome welcome) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "WELCOME inside a session");
    }

    @Override
    public void onResume(Resume resume) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUME inside a session");
    }

    @Override
    public void onResumed(long offset, long sent, byte[] nonce) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUMED inside a session");
    }

    @Override
    public void onPing(long opaque) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "PING is the link's");
    }

    @Override
    public void onPong(long opaque) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "PONG is the link's");
    }

    @Override
    public void onGoAway(ErrorCode code, String message) throws ProtocolException {
        throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "GOAWAY is the link's");
    }

    // ---- acknowledgements -----------------------------------------------------------------------

    @Override
    public void afterInboundBatch() {
        long unacked = receivedOffset - ackSentOffset;
        if (unacked >= ACK_EVERY_BYTES) {
            requestFlush();
        } else if (unacked > 0 && (ackTimer == null || !ackTimer.isPending())) {
            ackTimer = loop.schedule(ACK_DELAY_NANOS, this::requestFlush);
        }
    }

    @Override
    public long takeDueAck() {
        if (receivedOffset == ackSentOffset) {
            return -1;
        }
        ackSentOffset = receivedOffset;
        if (ackTimer != null) {
            ackTimer.cancel();
        }
        return receivedOffset;
    }

    // ---- sending --------------------------------------------------------------------------------

    @Override
    public ReplayBuffer replay() {
        return replay;
    }

    /** DATA was queued: have the link write it at the end of this turn. */
    void framesQueued() {
        requestFlush();
    }

    private void requestFlush() {
        if (link != null) {
            link.requestFlush();
        }
    }

    /**
     * Writes the frames a stream owes the peer, or queues the stream until the replay buffer has room.
     * Behind streams already waiting, never past them: a short OPEN that fits must not overtake a longer
     * one that did not, since the peer requires each side's stream ids to arrive in increasing order.
     */
    void sendOwedFrames(Stream stream) {
        if (state == SessionState.CLOSED) {
            return;
        }
        if (stream.deferred || !deferred.isEmpty() || !stream.writeOwedFrames(replay)) {
            if (!stream.deferred) {
                stream.deferred = true;
                deferred.add(stream);
            }
        }
        requestFlush();
    }

    /**
     * A stream found the replay buffer full; it reads again when acknowledgements make room, or, when it
     * was the agent's budget that said no, when another session gives memory back.
     */
    void park(Stream stream) {
        if (!stream.parked) {
            stream.parked = true;
            parked.add(stream);
        }
        waitForMemoryIfBudgetBound();
    }

    /** Asks the budget for one wake-up when it is the agent's memory, not this session's ACKs, that holds data back. */
    private void waitForMemoryIfBudgetBound() {
        if (!waitingForMemory && replay.waitsForBudget()) {
            waitingForMemory = true;
            budget.whenRoom(this::memoryGivenBack);
        }
    }

    private void memoryGivenBack() {
        waitingForMemory = false;
        if (state != SessionState.CLOSED) {
            resumeWaitingStreams();
        }
    }

    private void resumeWaitingStreams() {
        while (!deferred.isEmpty()) {
            Stream stream = deferred.peek();
            if (!stream.writeOwedFrames(replay)) {
                break;
            }
            deferred.poll();
            stream.deferred = false;
        }
        while (!parked.isEmpty() && replay.canTakeData()) {
            Stream stream = parked.poll();
            stream.parked = false;
            stream.updateInterest();
        }
        if (!parked.isEmpty()) {
            waitForMemoryIfBudgetBound();
        }
    }

    /**
     * Whether a stream may queue {@code bytes} more that the peer sent (its local socket is slow). Yes while
     * the agent's buffer memory has room. At the limit: no for a session queueing more than its fair share;
     * for one within it, the sessions above theirs shed their largest queues to make room, and no when even
     * that does not. A no resets the stream: windows the peer was given cannot be taken back, and peers
     * filling thousands of them must not push the agent past --max-buffer-memory.
     */
    boolean mayQueue(Stream stream, int bytes) {
        long needed = bytes + chunkPool.bufferSize(); // taken in whole chunks
        if (budget == null || budget.queueFits(needed)) {
            return true;
        }
        if (inboundQueued + needed <= budget.fairShare() && budget.makeRoomForQueue(needed, this)) {
            return true;
        }
        log.info("session {}: stream {} reset: its peer's bytes would take the queues for slow local sockets past "
                + "--max-buffer-memory {} (this session queues {}; its share is {})", label, stream.id,
                Sizes.format(budget.limit()), Sizes.format(inboundQueued), Sizes.format(budget.fairShare()));
        return false;
    }

    /** A stream's inbound queue took or gave back {@code delta} bytes of memory (whole chunks). */
    void queuedChanged(long delta) {
        inboundQueued += delta;
        if (budget != null) {
            budget.queuedChanged(delta);
        }
    }

    @Override
    public long queuedBytes() {
        return inboundQueued;
    }

    /** The budget needs room for another session: the stream with the largest inbound queue is reset. */
    @Override
    public void shedLargestQueue(String why) {
        Stream largest = null;
        for (Stream s : streams.values()) {
            if (largest == null || s.queuedBytes() > largest.queuedBytes()) {
                largest = s;
            }
        }
        if (largest == null || largest.queuedBytes() == 0) {
            return;
        }
        log.info("session {}: stream {} reset, its {} queued for a slow local socket dropped: {}", label, largest.id,
                Sizes.format(largest.queuedBytes()), why);
        largest.reset(ErrorCode.STREAM_LIMIT);
    }

    void remove(Stream stream) {
        streams.remove(stream.id);
        log.debug("session {}: stream {} closed ({} bytes out, {} in)", label, stream.id, stream.bytesToPeer, stream.bytesFromPeer);
    }

    // ---- for streams ----------------------------------------------------------------------------

    EventLoop loop() {
        return loop;
    }

    SessionSettings settings() {
        return settings;
    }

    MemoryBudget budget() {
        return budget;
    }

    BufferPool chunkPool() {
        return chunkPool;
    }

    int peerInitialWindow() {
        return peerInitialWindow;
    }

    int peerMaxPayload() {
        return peerMaxPayload;
    }

    /** For status and tests: a line per stream. */
    public List<String> describeStreams() {
        List<String> lines = new ArrayList<>();
        for (Stream stream : streams.values()) {
            lines.add(stream + " out=" + stream.bytesToPeer + " in=" + stream.bytesFromPeer + " queued=" + stream.queuedBytes());
        }
        return lines;
    }

    @Override
    public String toString() {
        return "session " + label;
    }
}
