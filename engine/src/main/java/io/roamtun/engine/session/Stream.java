package io.roamtun.engine.session;

import io.roamtun.engine.buffer.ByteQueue;
import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.buffer.ReplayBuffer;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.loop.Timer;
import io.roamtun.engine.session.StreamState.Event;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tunneled TCP connection: relays between its local socket and the session. Bytes from the local
 * socket are read straight into the session's replay buffer as DATA frames, as far as the peer's credit
 * ({@link #sendWindow}) allows; DATA from the peer is written straight to the local socket, and only
 * what the socket does not take is queued, up to the window this side advertised.
 *
 * <p>Frames this stream owes the peer (OPEN, OPEN_OK, OPEN_FAIL, WINDOW_UPDATE, FIN, RESET) are kept as
 * "owed" until the replay buffer has room for them, so a full buffer delays them and never loses them.
 */
final class Stream implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(Stream.class);

    private final Session session;
    final int id;
    final String service;
    private SocketChannel channel;
    private SelectionKey key;
    private StreamState state;
    private final ByteQueue pending;
    /** How far a stream's window may grow ({@link ReceiveWindow}): this many times {@code --stream-window}. */
    static final int MAX_WINDOW_GROWTH = 8;
    /** Frames read from the local socket per readiness event at most (4 x 64 KiB), so one stream cannot hold the loop. */
    private static final int FRAMES_PER_READ_EVENT = 4;

    /** Bytes the peer still lets us send. */
    int sendWindow;
    /** What the peer may still send us, and the credit we owe it. */
    private final ReceiveWindow receiveWindow;

    // Frames owed to the peer, written in this order by writeOwedFrames.
    private boolean owesOpen;
    private boolean owesOpenOk;
    private ErrorCode owesOpenFail;
    private String openFailMessage;
    private boolean owesFin;
    private ErrorCode owesReset;

    private boolean outputShut;
    private boolean channelClosed;
    /** Waiting for room in the replay buffer to read more. */
    boolean parked;
    /** Waiting for room in the replay buffer to write owed frames. */
    boolean deferred;
    private boolean removed;
    private Timer connectTimer;

    long bytesToPeer;
    long bytesFromPeer;

    private Stream(Session session, int id, String service, SocketChannel channel, StreamState state) {
        this.session = session;
        this.id = id;
        this.service = service;
        this.channel = channel;
        this.state = state;
        this.pending = new ByteQueue(session.chunkPool(), session.budget(), session::queuedChanged);
        int window = session.settings().streamWindow();
        this.receiveWindow = new ReceiveWindow(window, (int) Math.min(1 << 30, (long) window * MAX_WINDOW_GROWTH));
        this.sendWindow = session.peerInitialWindow();
    }

    /** A stream for a local connection that was just accepted; OPEN goes to the peer. */
    static Stream opening(Session session, int id, String service, SocketChannel accepted) throws IOException {
        Stream stream = new Stream(session, id, service, accepted, StreamState.OPENING);
        stream.owesOpen = true;
        stream.key = session.loop().register(accepted, 0, stream);
        return stream;
    }

    /** A stream the peer opened, for which a local connection to {@code target} is to be made. */
    static Stream connecting(Session session, int id, String service) {
        return new Stream(session, id, service, null, StreamState.CONNECTING);
    }

    /** A stream refused at once; it exists only until its OPEN_FAIL is written. */
    static Stream refused(Session session, int id, String service, ErrorCode code, String message) {
        Stream stream = new Stream(session, id, service, null, StreamState.CLOSED);
        stream.owesOpenFail = code;
        stream.openFailMessage = message;
        stream.channelClosed = true;
        return stream;
    }

    StreamState state() {
        return state;
    }

    long queuedBytes() {
        return pending.size();
    }

    private boolean transition(Event event) {
        StreamState next = state.on(event);
        if (next == null) {
            return false;
        }
        state = next;
        return true;
    }

    // ---- the local connection -------------------------------------------------------------------

    void connect(InetSocketAddress target) {
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean connected = channel.connect(target);
            key = session.loop().register(channel, connected ? 0 : SelectionKey.OP_CONNECT, this);
            if (connected) {
                onConnected();
            } else {
                connectTimer = session.loop().schedule(session.settings().connectTimeout().toNanos(),
                        () -> connectFailed(ErrorCode.CONNECT_TIMEOUT, "no answer from " + target + " within "
                                + session.settings().connectTimeout().toMillis() + " ms"));
            }
        } catch (IOException | RuntimeException e) {
            connectFailed(classify(e), describe(e) + " (" + target + ")");
        }
    }

    private void onConnected() {
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        transition(Event.CONNECTED);
        owesOpenOk = true;
        session.sendOwedFrames(this);
        if (!pending.isEmpty()) {
            writePending();
        }
        maybeShutOutput();
        updateInterest();
    }

    private void connectFailed(ErrorCode code, String message) {
        if (state != StreamState.CONNECTING && state != StreamState.CONNECTING_REMOTE_CLOSED) {
            return;
        }
        log.info("stream {} to service {}: connect failed: {}", id, service, message);
        transition(Event.CONNECT_FAILED);
        owesOpenFail = code;
        openFailMessage = message;
        pending.clear();
        closeChannel(false);
        session.sendOwedFrames(this);
        maybeFinish();
    }

    @Override
    public void onReady(SelectionKey readyKey) {
        int ready = readyKey.readyOps();
        if ((ready & SelectionKey.OP_CONNECT) != 0) {
            try {
                if (channel.finishConnect()) {
                    onConnected();
                }
            } catch (IOException e) {
                connectFailed(classify(e), describe(e));
            }
            return;
        }
        if ((ready & SelectionKey.OP_WRITE) != 0 && !channelClosed) {
            writePending();
        }
        if ((ready & SelectionKey.OP_READ) != 0 && !channelClosed) {
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
            ByteBuffer slot = replay.reserveData(Math.min(sendWindow, session.peerMaxPayload()));
            if (slot == null) {
                session.park(this);
                break;
            }
            boolean filled;
            int n;
            try {
                n = channel.read(slot);
                filled = !slot.hasRemaining();
            } catch (IOException e) {
                replay.cancelData();
                localFailed(e);
                return;
            }
            if (n > 0) {
                replay.commitData(id, n);
                sendWindow -= n;
                bytesToPeer += n;
                session.framesQueued();
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
        owesFin = true;
        session.sendOwedFrames(this);
        maybeFinish();
    }

    private void writePending() {
        try {
            long n = pending.writeTo(channel);
            consumed((int) n);
        } catch (IOException e) {
            localFailed(e);
            return;
        }
        maybeShutOutput();
        updateInterest();
        maybeFinish();
    }

    private void maybeShutOutput() {
        if (outputShut || channelClosed || !pending.isEmpty() || !state.remoteFinished() || !state.localConnected()) {
            return;
        }
        outputShut = true;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            log.debug("stream {}: shutdown of local output failed: {}", id, describe(e));
        }
    }

    private boolean wantsToRead() {
        return !channelClosed && state.localReadable() && state.localConnected() && sendWindow > 0 && !parked
                && !owesOpen && !owesOpenOk;
    }

    void updateInterest() {
        if (key == null || !key.isValid() || channelClosed) {
            return;
        }
        int ops = 0;
        if (wantsToRead()) {
            ops |= SelectionKey.OP_READ;
        }
        if (!pending.isEmpty() && state.localConnected()) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (state == StreamState.CONNECTING || state == StreamState.CONNECTING_REMOTE_CLOSED) {
            ops |= SelectionKey.OP_CONNECT;
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    /** The local socket failed (the app reset it, or went away): the peer gets RESET. */
    private void localFailed(IOException e) {
        log.debug("stream {}: local socket failed: {}", id, describe(e));
        reset(ErrorCode.CANCELLED);
    }

    /** Ends the stream abortively from this side: RESET to the peer, RST to the local socket. */
    void reset(ErrorCode code) {
        if (removed) {
            return;
        }
        // A peer that never got our OPEN has nothing to reset; one whose stream is over needs no word.
        boolean peerHasIt = !owesOpen && state != StreamState.CLOSED;
        transition(Event.RESET);
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        pending.clear();
        closeChannel(true);
        owesOpen = owesOpenOk = owesFin = false;
        receiveWindow.forget();
        if (peerHasIt) {
            owesReset = code;
        }
        session.sendOwedFrames(this);
        maybeFinish();
    }

    // ---- the peer -------------------------------------------------------------------------------

    void onOpenOk() throws ProtocolException {
        if (!transition(Event.OPEN_OK)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, id, "OPEN_OK in state " + state);
        }
        updateInterest();
    }

    void onOpenFail(ErrorCode code, String message) throws ProtocolException {
        if (!transition(Event.OPEN_FAILED)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, id, "OPEN_FAIL in state " + state);
        }
        log.info("stream {} to service {} refused by the peer: {} {}", id, service, code, message);
        owesFin = false;
        pending.clear();
        closeChannel(false);
        maybeFinish();
    }

    void onPeerData(ByteBuffer payload) throws ProtocolException {
        int length = payload.remaining();
        if (!state.acceptsPeerData()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, id, "DATA in state " + state);
        }
        if (!receiveWindow.take(length)) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, id,
                    "peer sent " + receiveWindow.excess(length) + " bytes beyond the window");
        }
        bytesFromPeer += length;
        if (state.localConnected() && pending.isEmpty()) {
            try {
                consumed(channel.write(payload));
            } catch (IOException e) {
                localFailed(e);
                return;
            }
        }
        if (payload.hasRemaining()) {
            if (!session.mayQueue(this, payload.remaining())) {
                reset(ErrorCode.STREAM_LIMIT);
                return;
            }
            pending.append(payload);
            updateInterest();
        }
    }

    void onPeerFin() throws ProtocolException {
        if (!transition(Event.REMOTE_FIN)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, id, "FIN in state " + state);
        }
        maybeShutOutput();
        updateInterest();
        maybeFinish();
    }

    void onPeerReset(ErrorCode code) {
        log.debug("stream {}: reset by peer: {}", id, code);
        transition(Event.RESET);
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        pending.clear();
        owesOpen = owesOpenOk = owesFin = false;
        owesOpenFail = null;
        owesReset = null;
        receiveWindow.forget();
        closeChannel(true);
        maybeFinish();
    }

    void onWindowUpdate(int increment) throws ProtocolException {
        if (increment <= 0) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, id,
                    "WINDOW_UPDATE increment " + Integer.toUnsignedString(increment) + " not in 1.." + Wire.MAX_WINDOW);
        }
        long next = (long) sendWindow + increment;
        if (next > Integer.MAX_VALUE) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, id, "window would exceed 2^31-1");
        }
        sendWindow = (int) next;
        updateInterest();
    }

    /** The peer's initial window became known (WELCOME after the stream was made). */
    void addSendWindow(int credit) {
        sendWindow += credit;
        updateInterest();
    }

    private void consumed(int n) {
        if (n <= 0 || state == StreamState.CLOSED && channelClosed) {
            return;
        }
        receiveWindow.consumed(n);
        if (receiveWindow.owesUpdate()) {
            session.sendOwedFrames(this);
        }
    }

    // ---- frames owed to the peer ----------------------------------------------------------------

    boolean owesFrames() {
        return owesControlFrames() || (receiveWindow.owesUpdate() && state != StreamState.CLOSED);
    }

    /** Writes owed frames into the replay buffer, in order; returns false when it ran out of room. */
    boolean writeOwedFrames(ReplayBuffer replay) {
        if (owesOpen) {
            int size = FrameEncoder.openSize(service);
            ByteBuffer slot = replay.reserveFrame(size);
            if (slot == null) {
                return false;
            }
            FrameEncoder.open(slot, replay.head(), id, service);
            replay.commitFrame(size);
            owesOpen = false;
            updateInterest();
        }
        if (owesOpenOk) {
            ByteBuffer slot = replay.reserveFrame(FrameEncoder.EMPTY_FRAME_BYTES);
            if (slot == null) {
                return false;
            }
            FrameEncoder.openOk(slot, replay.head(), id);
            replay.commitFrame(FrameEncoder.EMPTY_FRAME_BYTES);
            owesOpenOk = false;
            updateInterest();
        }
        if (owesOpenFail != null) {
            int size = FrameEncoder.messageFrameSize(openFailMessage);
            ByteBuffer slot = replay.reserveFrame(size);
            if (slot == null) {
                return false;
            }
            FrameEncoder.openFail(slot, replay.head(), id, owesOpenFail, openFailMessage);
            replay.commitFrame(size);
            owesOpenFail = null;
        }
        if (receiveWindow.owesUpdate() && state != StreamState.CLOSED) {
            ByteBuffer slot = replay.reserveFrame(FrameEncoder.WINDOW_UPDATE_FRAME_BYTES);
            if (slot == null) {
                return false;
            }
            MemoryBudget budget = session.budget();
            int increment = receiveWindow.grant(pending.size(), budget != null && budget.underPressure());
            if (increment > 0) { // (0: the window shrank by all that was consumed; the reserved slot goes unused)
                FrameEncoder.windowUpdate(slot, replay.head(), id, increment);
                replay.commitFrame(FrameEncoder.WINDOW_UPDATE_FRAME_BYTES);
            }
        }
        if (owesFin) {
            ByteBuffer slot = replay.reserveFrame(FrameEncoder.EMPTY_FRAME_BYTES);
            if (slot == null) {
                return false;
            }
            FrameEncoder.fin(slot, replay.head(), id);
            replay.commitFrame(FrameEncoder.EMPTY_FRAME_BYTES);
            owesFin = false;
        }
        if (owesReset != null) {
            ByteBuffer slot = replay.reserveFrame(FrameEncoder.RESET_FRAME_BYTES);
            if (slot == null) {
                return false;
            }
            FrameEncoder.reset(slot, replay.head(), id, owesReset);
            replay.commitFrame(FrameEncoder.RESET_FRAME_BYTES);
            owesReset = null;
        }
        maybeFinish();
        return true;
    }

    // ---- the end --------------------------------------------------------------------------------

    /** Removes the stream once it is closed both ways, its queue written and nothing owed. */
    void maybeFinish() {
        if (removed || state != StreamState.CLOSED || !pending.isEmpty() || owesControlFrames()) {
            return;
        }
        removed = true;
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        closeChannel(false);
        session.remove(this);
    }

    private boolean owesControlFrames() {
        return owesOpen || owesOpenOk || owesOpenFail != null || owesFin || owesReset != null;
    }

    private void closeChannel(boolean abortive) {
        if (channelClosed) {
            return;
        }
        channelClosed = true;
        if (key != null) {
            key.cancel();
        }
        if (channel == null) {
            return;
        }
        try {
            if (abortive && channel.isConnected()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            channel.close();
        } catch (IOException e) {
            log.debug("stream {}: close failed: {}", id, describe(e));
        }
    }

    /** The session is over: the local socket is reset (see {@link Session#close}) and buffers freed. */
    void abandon() {
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        pending.clear();
        closeChannel(true);
        state = StreamState.CLOSED;
        removed = true;
    }

    @Override
    public void onFailure(Throwable bug) {
        reset(ErrorCode.INTERNAL_ERROR);
    }

    private static ErrorCode classify(Exception e) {
        if (e instanceof ConnectException) {
            return ErrorCode.CONNECT_REFUSED;
        }
        if (e instanceof NoRouteToHostException) {
            return ErrorCode.UNREACHABLE;
        }
        return ErrorCode.UNREACHABLE;
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        return message != null ? message : e.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "stream " + id + " (" + service + ", " + state + ")";
    }
}
