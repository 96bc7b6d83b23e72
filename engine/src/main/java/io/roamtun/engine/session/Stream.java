package io.roamtun.engine.session;

import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.engine.session.OwedFrames.Kind;
import io.roamtun.engine.text.LogSafe;
import io.roamtun.engine.session.StreamState.Event;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tunneled TCP connection: relays between its {@link LocalSocket} and the session, with flow control
 * both ways. Bytes from the local socket are read straight into the session's replay buffer as DATA frames,
 * as far as the peer's credit ({@link #sendWindow}) allows; DATA from the peer is written straight to the
 * local socket (all of one link read's payloads with one gathering write, {@link GatheredDelivery}), and only
 * what the socket does not take is queued ({@link #toLocal}), up to the window this side advertised. The
 * control frames it owes the peer wait in {@link OwedFrames} until they fit.
 */
final class Stream implements IoHandler, OwedFrames.Stream, LocalSocket.ConnectListener {
    private static final Logger log = LoggerFactory.getLogger(Stream.class);
    /** Frames read from the local socket per readiness event at most (4 full DATA frames), so one stream cannot hold the loop. */
    private static final int FRAMES_PER_READ_EVENT = 4;

    private final Session session;
    private final int id;
    private final String service;
    private final LocalSocket local;
    private StreamState state;
    /** The peer's bytes on their way to the local socket, and the credit that earns back. */
    private final LocalDelivery toLocal;
    /** Bytes the peer still lets us send. */
    private final SendWindow sendWindow;
    private final OwedFrames owed = new OwedFrames();
    private boolean removed;

    private Stream(Session session, int id, String service, StreamState state) {
        this.session = session;
        this.id = id;
        this.service = service;
        this.local = new LocalSocket("stream " + id);
        this.state = state;
        this.toLocal = LocalDelivery.of(session);
        this.sendWindow = new SendWindow(id, session.peer().initialWindow());
        session.traffic().streamStarted();
    }

    /** A stream for a local connection that was just accepted; OPEN goes to the peer. */
    static Stream opening(Session session, int id, String service, SocketChannel accepted) throws IOException {
        Stream stream = new Stream(session, id, service, StreamState.OPENING);
        stream.owed.owe(Kind.OPEN);
        stream.local.register(session.loop(), accepted, 0, stream);
        return stream;
    }

    /** A stream the peer opened, for which a local connection to {@code target} is to be made. */
    static Stream connecting(Session session, int id, String service) {
        return new Stream(session, id, service, StreamState.CONNECTING);
    }

    /** A stream refused at once; it exists only until its OPEN_FAIL is written. */
    static Stream refused(Session session, int id, String service, ErrorCode code, String message) {
        Stream stream = new Stream(session, id, service, StreamState.CLOSED);
        stream.owed.oweOpenFail(code, message);
        stream.local.markClosed();
        return stream;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String service() {
        return service;
    }

    long queuedBytes() {
        return toLocal.queued();
    }

    long bytesToPeer() {
        return sendWindow.sent();
    }

    long bytesFromPeer() {
        return toLocal.received();
    }

    private boolean transition(Event event) {
        StreamState next = state.on(event);
        if (next != null) {
            state = next;
        }
        return next != null;
    }

    /** A frame of the peer's moves the state by {@code event}, or breaks the stream's rules (the stream is reset). */
    private void requireTransition(Event event, String frame) throws ProtocolException {
        if (!transition(event)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, id, frame + " in state " + state);
        }
    }

    void connect(InetSocketAddress target) {
        local.connect(session.loop(), target, session.settings().connectTimeout(), this, this);
    }

    @Override
    public void onConnected() {
        local.cancelConnect();
        transition(Event.CONNECTED);
        owed.owe(Kind.OPEN_OK);
        session.sendQueue().sendOwedFramesSoon(this); // the opener does not wait for it: it rides with the next write
        if (!toLocal.isEmpty()) {
            writeToLocal();
        }
        maybeShutOutput();
        updateInterest();
    }

    @Override
    public void onConnectFailed(ErrorCode code, String message) {
        if (state != StreamState.CONNECTING && state != StreamState.CONNECTING_REMOTE_CLOSED) {
            return;
        }
        log.info("stream {} to service {}: connect failed: {}", id, service, message);
        transition(Event.CONNECT_FAILED);
        owed.oweOpenFail(code, message);
        toLocal.drop();
        local.close(false);
        session.sendQueue().sendOwedFrames(this);
        maybeFinish();
    }

    @Override
    public void onReady(SelectionKey readyKey) {
        int ready = readyKey.readyOps();
        if ((ready & SelectionKey.OP_CONNECT) != 0) {
            local.finishConnect(this);
            return;
        }
        if ((ready & SelectionKey.OP_WRITE) != 0 && !local.isClosed()) {
            writeToLocal();
        }
        if ((ready & SelectionKey.OP_READ) != 0 && !local.isClosed()) {
            readLocal();
        }
    }

    /**
     * Reads what the local socket has, as far as credit and buffer room allow, into DATA frames: a few per
     * readiness event while each read fills its frame, so a fast app costs fewer selector turns and the link
     * gets larger batches to encrypt and write.
     */
    void readLocal() {
        for (int frame = 0; frame < FRAMES_PER_READ_EVENT; frame++) {
            if (!wantsToRead()) {
                break;
            }
            ReplayBuffer replay = session.replay();
            ByteBuffer slot = replay.reserveData(Math.min(sendWindow.credit(), session.peer().maxPayload()));
            if (slot == null) {
                session.sendQueue().waitToRead(this);
                break;
            }
            boolean filled;
            int n;
            try {
                n = local.channel().read(slot);
                filled = !slot.hasRemaining();
            } catch (IOException e) {
                replay.cancelData();
                localFailed(e);
                return;
            }
            if (n > 0) {
                replay.commitData(id, n);
                sendWindow.spent(n);
                session.traffic().sent(n);
                session.requestFlush();
            } else {
                replay.cancelData();
                if (n < 0) {
                    onLocalEnd();
                }
            }
            if (!filled) {
                break; // the socket is drained (or at its end)
            }
        }
        updateInterest();
    }

    private void onLocalEnd() {
        if (!transition(Event.LOCAL_FIN)) {
            return;
        }
        owed.owe(Kind.FIN);
        session.sendQueue().sendOwedFrames(this);
        maybeFinish();
    }

    private void writeToLocal() {
        try {
            creditEarned(toLocal.writeQueued(local.channel()));
        } catch (IOException e) {
            localFailed(e);
            return;
        }
        maybeShutOutput();
        updateInterest();
        maybeFinish();
    }

    private void maybeShutOutput() {
        if (toLocal.isEmpty() && state.remoteFinished() && state.localConnected()) {
            local.shutdownOutput();
        }
    }

    private boolean wantsToRead() {
        return !local.isClosed() && state.localReadable() && state.localConnected() && sendWindow.credit() > 0
                && !session.sendQueue().isWaitingToRead(this) && !owed.opening();
    }

    void updateInterest() {
        int ops = 0;
        if (wantsToRead()) {
            ops |= SelectionKey.OP_READ;
        }
        if (!toLocal.isEmpty() && state.localConnected()) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (state == StreamState.CONNECTING || state == StreamState.CONNECTING_REMOTE_CLOSED) {
            ops |= SelectionKey.OP_CONNECT;
        }
        local.setInterest(ops);
    }

    /** The local socket failed (the app reset it, or went away): the peer gets RESET. */
    private void localFailed(IOException e) {
        log.debug("stream {}: local socket failed: {}", id, LocalSocket.describe(e));
        reset(ErrorCode.CANCELLED);
    }

    /** Ends the stream abortively from this side: RESET to the peer, RST to the local socket. */
    void reset(ErrorCode code) {
        if (removed) {
            return;
        }
        // A peer that never got our OPEN has nothing to reset; one whose stream is over needs no word.
        boolean peerHasIt = !owed.owes(Kind.OPEN) && state != StreamState.CLOSED;
        transition(Event.RESET);
        local.cancelConnect();
        toLocal.dropAndForget();
        local.close(true);
        owed.forget(Kind.OPEN, Kind.OPEN_OK, Kind.FIN);
        if (peerHasIt) {
            owed.oweReset(code);
        }
        session.sendQueue().sendOwedFrames(this);
        maybeFinish();
    }

    void onOpenOk() throws ProtocolException {
        requireTransition(Event.OPEN_OK, "OPEN_OK");
        updateInterest();
    }

    void onOpenFail(ErrorCode code, String message) throws ProtocolException {
        requireTransition(Event.OPEN_FAILED, "OPEN_FAIL");
        log.info("stream {} to service {} refused by the peer: {} {}", id, service, code, LogSafe.escape(message));
        owed.forget(Kind.FIN);
        toLocal.drop();
        local.close(true); // the app learns its connection failed from a reset, not a clean end of stream
        maybeFinish();
    }

    void onPeerData(ByteBuffer payload) throws ProtocolException {
        int length = payload.remaining();
        if (!state.acceptsPeerData()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, id, "DATA in state " + state);
        }
        toLocal.admit(id, length);
        session.traffic().received(length);
        GatheredDelivery gathered = session.frames().gathered();
        if (!state.localConnected() || !toLocal.isEmpty() || !gathered.keep(this, payload)) {
            deliver(gathered.alone(payload), 1); // (kept ones are delivered when the decode ends)
        }
    }

    /**
     * Writes the peer's payloads to the local socket with one gathering write (a decode's for this stream, or
     * one), after what is queued, and queues what the socket does not take.
     */
    void deliver(ByteBuffer[] payloads, int count) {
        if (!state.acceptsPeerData()) {
            return; // reset meanwhile: what was kept goes with the stream, as queued bytes do
        }
        if (state.localConnected()) {
            try {
                creditEarned(toLocal.writeThrough(local.channel(), payloads, count));
            } catch (IOException e) {
                localFailed(e);
                return;
            }
        }
        int rest = 0; // (at most a decode's worth: the link's inbound buffer)
        for (int i = 0; i < count; i++) {
            rest += payloads[i].remaining();
        }
        if (rest > 0 && !session.queueMemory().mayQueue(this, rest)) {
            reset(ErrorCode.STREAM_LIMIT);
        } else if (rest > 0) {
            for (int i = 0; i < count; i++) {
                toLocal.queue(payloads[i]);
            }
            updateInterest();
        }
    }

    void onPeerFin() throws ProtocolException {
        requireTransition(Event.REMOTE_FIN, "FIN");
        maybeShutOutput();
        updateInterest();
        maybeFinish();
    }

    void onPeerReset(ErrorCode code) {
        log.debug("stream {}: reset by peer: {}", id, code);
        transition(Event.RESET);
        local.cancelConnect();
        toLocal.dropAndForget();
        owed.forget(Kind.OPEN, Kind.OPEN_OK, Kind.FIN, Kind.OPEN_FAIL, Kind.RESET);
        local.close(true);
        maybeFinish();
    }

    void onWindowUpdate(int increment) throws ProtocolException {
        sendWindow.update(increment);
        updateInterest();
    }

    /** The peer's initial window became known (WELCOME after the stream was made). */
    void addSendWindow(int credit) {
        sendWindow.add(credit);
        updateInterest();
    }

    /** The local socket took bytes; {@code owed}: enough that the peer is owed a WINDOW_UPDATE. */
    private void creditEarned(boolean owed) {
        if (owed) {
            session.sendQueue().sendOwedFrames(this);
        }
    }

    @Override
    public boolean owesWindowUpdate() {
        return toLocal.owesUpdate() && state != StreamState.CLOSED;
    }

    @Override
    public int grantWindow() {
        MemoryBudget budget = session.budget();
        return toLocal.grant(budget != null && budget.underPressure());
    }

    /** Writes owed frames into the replay buffer, in order; returns false when it ran out of room. */
    boolean writeOwedFrames(ReplayBuffer replay) {
        boolean opening = owed.opening();
        boolean done = owed.writeTo(replay, this);
        if (opening && !owed.opening()) {
            updateInterest(); // reading waits for OPEN (and OPEN_OK) to be on its way
        }
        if (done) {
            maybeFinish();
        }
        return done;
    }

    /** Removes the stream once it is closed both ways, its queue written and nothing owed. */
    void maybeFinish() {
        if (removed || state != StreamState.CLOSED || !toLocal.isEmpty() || owed.any()) {
            return;
        }
        removed = true;
        local.cancelConnect();
        local.close(false);
        session.remove(this);
    }

    /** The session is over: the local socket is reset (see {@link Session#close}) and buffers freed. */
    void abandon() {
        local.cancelConnect();
        toLocal.drop();
        local.close(true);
        state = StreamState.CLOSED;
        removed = true;
    }

    @Override
    public void onFailure(Throwable bug) {
        reset(ErrorCode.INTERNAL_ERROR);
    }

    @Override
    public String toString() {
        return "stream " + id + " (" + service + ", " + state + ")";
    }
}
