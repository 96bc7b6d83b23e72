package io.roamtun.engine.link;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.loop.Timer;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.FrameHandler;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection between the agents: reads and decodes frames, keeps the connection's liveness
 * (PING when quiet, dead when silent past dead-after), and writes through {@link LinkWriter}. The session
 * it carries may outlive it; the link never decides the fate of streams, it only reports that it is gone.
 */
public final class Link implements IoHandler, FrameHandler {
    private static final Logger log = LoggerFactory.getLogger(Link.class);
    /** Two whole frames: a read always has room to complete the frame at hand. */
    static final int INBOUND_CAPACITY = 2 * Wire.MAX_FRAME_BYTES;
    /**
     * Before the handshake only HELLO / WELCOME / RESUME / RESUMED arrive, each under 400 bytes: a small heap
     * buffer does, so a thousand half-open connections cost little. The full buffer comes with the session.
     */
    static final int HANDSHAKE_INBOUND_CAPACITY = 2048;
    /** Reads per readiness event before other channels get their turn. */
    private static final int READS_PER_EVENT = 4;
    /** How long a GOAWAY may take to leave before the socket is closed anyway. */
    private static final long CLOSE_LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventLoop loop;
    private final LinkTransport transport;
    private final LinkSettings settings;
    private final LinkListener listener;
    private final FrameDecoder decoder;
    private final LinkWriter writer;
    private final String name;
    private ByteBuffer inbound = ByteBuffer.allocate(HANDSHAKE_INBOUND_CAPACITY);
    private SelectionKey key;
    private LinkState state = LinkState.HANDSHAKING;
    private SessionPort session;
    private boolean flushScheduled;
    private long lastReceivedNanos = System.nanoTime();
    private long lastRttNanos = -1;
    private Timer livenessTimer;
    private Timer handshakeTimer;
    private boolean quietReported;
    private boolean everEstablished;
    private long lastPingNanos;

    public Link(EventLoop loop, LinkTransport transport, Role local, LinkSettings settings, LinkListener listener, String name) {
        this.loop = loop;
        this.transport = transport;
        this.settings = settings;
        this.listener = listener;
        this.decoder = new FrameDecoder(local, Wire.MAX_PAYLOAD);
        this.writer = new LinkWriter(transport);
        this.name = name;
    }

    /** Registers with the loop and starts the handshake clock. Loop thread. */
    public void start() throws IOException {
        start(null);
    }

    /**
     * Starts on a channel that may already be registered (a client's connect): its key is taken over,
     * since a cancelled key cannot be replaced before the selector's next turn.
     */
    public void start(SelectionKey existing) throws IOException {
        if (existing != null) {
            key = existing;
            key.attach(this);
            key.interestOps(SelectionKey.OP_READ);
        } else {
            key = loop.register(transport.channel(), SelectionKey.OP_READ, this);
        }
        handshakeTimer = loop.schedule(settings.handshakeTimeout().toNanos(), () -> {
            if (state == LinkState.HANDSHAKING) {
                close(ErrorCode.PROTOCOL_ERROR, "no handshake within " + settings.handshakeTimeout().toMillis() + " ms");
            }
        });
        scheduleLiveness();
    }

    public String name() {
        return name;
    }

    public LinkState state() {
        return state;
    }

    public LinkTransport transport() {
        return transport;
    }

    /** Round trip of the last PING, in nanoseconds, or -1 before the first PONG. */
    public long lastRttNanos() {
        return lastRttNanos;
    }

    // ---- sending -------------------------------------------------------------------------------

    /** Queues a HELLO; the client's first words. */
    public void sendHello(Hello hello) {
        FrameEncoder.hello(controlSlotOrFail(FrameEncoder.helloSize(hello)), hello);
        requestFlush();
    }

    /** Queues a RESUME: the client's first words on a new link for an existing session. */
    public void sendResume(Resume resume) {
        FrameEncoder.resume(controlSlotOrFail(FrameEncoder.resumeSize(resume)), resume);
        requestFlush();
    }

    /** Queues a RESUMED; the session's replayed frames follow it (control frames go first). */
    public void sendResumed(long receivedOffset, long sentOffset, byte[] nextNonce) {
        FrameEncoder.resumed(controlSlotOrFail(FrameEncoder.RESUMED_FRAME_BYTES), receivedOffset, sentOffset, nextNonce);
        requestFlush();
    }

    /** Local address of the connection, for logs and path decisions. */
    public java.net.InetSocketAddress localAddress() {
        try {
            return (java.net.InetSocketAddress) transport.channel().getLocalAddress();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The network under this link is known to be gone (its interface went away): close it now, without
     * a goodbye, and report it lost.
     */
    public void abort(String reason) {
        lost(reason);
    }

    /**
     * Sends WELCOME and starts carrying {@code session} from its first frame. The server's side of the
     * handshake, after {@link LinkListener#onHello}.
     */
    public void establish(Welcome welcome, SessionPort session) {
        FrameEncoder.welcome(controlSlotOrFail(FrameEncoder.WELCOME_FRAME_BYTES), welcome);
        attach(session, session.replay().acked());
    }

    /** Starts carrying {@code session}, sending its frames from {@code resendFrom}. */
    public void attach(SessionPort session, long resendFrom) {
        this.session = session;
        everEstablished = true;
        writer.sendReplayFrom(session.replay(), resendFrom);
        state = state.next(LinkState.ESTABLISHED);
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        requestFlush();
    }

    /** True once the link carried a session (a handshake completed on it). */
    public boolean everEstablished() {
        return everEstablished;
    }

    /** Offset up to which the session's frames have been written on this link. */
    public long sentOffset() {
        return writer.sentOffset();
    }

    private ByteBuffer controlSlotOrFail(int bytes) {
        ByteBuffer slot = writer.controlSlot(bytes);
        if (slot == null) {
            throw new IllegalStateException("control queue full on a fresh link");
        }
        return slot;
    }

    /** Flushes at the end of this loop turn; many frames made in one turn leave in one write. */
    public void requestFlush() {
        if (!flushScheduled && state != LinkState.CLOSED) {
            flushScheduled = true;
            loop.atEndOfTurn(this::flush);
        }
    }

    private void flush() {
        flushScheduled = false;
        if (state == LinkState.CLOSED) {
            return;
        }
        boolean carrier = session != null && state.carriesSession() && session.link() == this;
        if (carrier) { // (an old link the session just left would take the ACK and lose it with itself)
            ByteBuffer slot = writer.controlSlot(FrameEncoder.LONG_FRAME_BYTES);
            if (slot != null) { // only then take the ACK: one taken and not queued would be lost for good
                long ack = session.takeDueAck();
                if (ack >= 0) {
                    FrameEncoder.ack(slot, ack);
                }
            }
        }
        try {
            LinkWriter.Result result = writer.flush(state.carriesSession());
            long heldAck = writer.takeHeldAck();
            if (heldAck >= 0 && carrier) {
                session.onAck(heldAck); // the frame that held it back is out: free what the peer has
            }
            if (result == LinkWriter.Result.BLOCKED) {
                setInterest(SelectionKey.OP_WRITE, true);
            } else if (result == LinkWriter.Result.WAITING) {
                setInterest(SelectionKey.OP_WRITE, false); // the peer's bytes move it on: see onReadable
            } else {
                setInterest(SelectionKey.OP_WRITE, false);
                if (state == LinkState.CLOSING) {
                    finishClose();
                }
            }
        } catch (ProtocolException e) {
            close(e.code(), e.getMessage()); // not thrown by a session's onAck; required by its signature
        } catch (IOException e) {
            lost("write failed: " + describe(e));
        }
    }

    private void setInterest(int op, boolean on) {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = key.interestOps();
        int next = on ? ops | op : ops & ~op;
        if (next != ops) {
            key.interestOps(next);
        }
    }

    // ---- receiving -----------------------------------------------------------------------------

    @Override
    public void onReady(SelectionKey readyKey) {
        int ready = readyKey.readyOps();
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if ((ready & SelectionKey.OP_READ) != 0 && state != LinkState.CLOSED) {
            onReadable();
        }
    }

    private void onReadable() {
        try {
            for (int i = 0; i < READS_PER_EVENT; i++) {
                int n = transport.read(inbound);
                if (n < 0) {
                    lost(state == LinkState.CLOSING ? "closed" : "closed by peer");
                    return;
                }
                if (n == 0) {
                    break;
                }
                lastReceivedNanos = System.nanoTime();
                quietReported = false;
                if (state == LinkState.CLOSING) {
                    // Said goodbye (or the session moved to another link): what still arrives was
                    // either resent elsewhere or is not wanted. Drain it until the peer closes.
                    inbound.clear();
                    continue;
                }
                inbound.flip();
                try {
                    decoder.decode(inbound, this);
                } finally {
                    inbound.compact();
                }
                if (everEstablished && inbound.capacity() < INBOUND_CAPACITY) {
                    // Established during this batch: from now on frames of any size arrive. (Not swapped
                    // inside decode, which still reads the small buffer.)
                    ByteBuffer full = ByteBuffer.allocateDirect(INBOUND_CAPACITY);
                    inbound.flip();
                    full.put(inbound);
                    inbound = full;
                }
                if (state == LinkState.CLOSED) {
                    break;
                }
                if (!inbound.hasRemaining() && state == LinkState.HANDSHAKING) {
                    throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE,
                            "a handshake frame larger than " + HANDSHAKE_INBOUND_CAPACITY + " bytes");
                }
                if (inbound.hasRemaining() && !transport.mayHaveMore()) {
                    break; // the socket is drained
                }
            }
            if (state != LinkState.CLOSED && transport.mayHaveMore()) {
                loop.atEndOfTurn(() -> {
                    if (state != LinkState.CLOSED) {
                        onReadable(); // bytes already in user space would otherwise wait for the socket
                    }
                });
            }
            if (session != null && state == LinkState.ESTABLISHED) {
                session.afterInboundBatch();
            }
            boolean waitingForWritable = key != null && key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) != 0;
            if (!waitingForWritable && (transport.hasBufferedOutput() || writer.hasPending(state.carriesSession()))) {
                requestFlush(); // a handshake step may have freed queued frames, or left records to write
            }
        } catch (ProtocolException e) {
            if (isRefusal(e.code())) {
                log.debug("link {}: refused: {}", name, e.toString()); // the refusing side logged why
            } else {
                log.warn("link {}: peer broke the protocol: {}", name, e.toString());
            }
            close(e.code(), e.getMessage());
        } catch (IOException e) {
            lost("read failed: " + describe(e));
        }
    }

    /** A well-formed request this side turned down (credentials, limits, an unknown session), not a broken peer. */
    private static boolean isRefusal(ErrorCode code) {
        return code == ErrorCode.AUTH_FAILED || code == ErrorCode.LIMIT_EXCEEDED || code == ErrorCode.UNKNOWN_SESSION;
    }

    private SessionPort sessionOrFail(FrameType type) throws ProtocolException {
        if (session == null || state != LinkState.ESTABLISHED) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " before the handshake completed");
        }
        return session;
    }

    @Override
    public boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException {
        return sessionOrFail(type).admitSequenced(type, seq, frameBytes);
    }

    @Override
    public void onHello(Hello hello) throws ProtocolException {
        if (state != LinkState.HANDSHAKING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "HELLO on an established link");
        }
        listener.onHello(this, hello);
    }

    @Override
    public void onWelcome(Welcome welcome) throws ProtocolException {
        if (state != LinkState.HANDSHAKING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "WELCOME on an established link");
        }
        listener.onWelcome(this, welcome);
    }

    @Override
    public void onResume(Resume resume) throws ProtocolException {
        if (state != LinkState.HANDSHAKING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUME on an established link");
        }
        listener.onResume(this, resume);
    }

    @Override
    public void onResumed(long receivedOffset, long sentOffset, byte[] nextNonce) throws ProtocolException {
        if (state != LinkState.HANDSHAKING) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RESUMED on an established link");
        }
        listener.onResumed(this, receivedOffset, sentOffset, nextNonce);
    }

    @Override
    public void onOpen(int streamId, String service) throws ProtocolException {
        sessionOrFail(FrameType.OPEN).onOpen(streamId, service);
    }

    @Override
    public void onOpenOk(int streamId) throws ProtocolException {
        sessionOrFail(FrameType.OPEN_OK).onOpenOk(streamId);
    }

    @Override
    public void onOpenFail(int streamId, ErrorCode code, String message) throws ProtocolException {
        sessionOrFail(FrameType.OPEN_FAIL).onOpenFail(streamId, code, message);
    }

    @Override
    public void onData(int streamId, ByteBuffer payload) throws ProtocolException {
        sessionOrFail(FrameType.DATA).onData(streamId, payload);
    }

    @Override
    public void onFin(int streamId) throws ProtocolException {
        sessionOrFail(FrameType.FIN).onFin(streamId);
    }

    @Override
    public void onReset(int streamId, ErrorCode code) throws ProtocolException {
        sessionOrFail(FrameType.RESET).onReset(streamId, code);
    }

    @Override
    public void onWindowUpdate(int streamId, int increment) throws ProtocolException {
        sessionOrFail(FrameType.WINDOW_UPDATE).onWindowUpdate(streamId, increment);
    }

    @Override
    public void onAck(long receivedOffset) throws ProtocolException {
        SessionPort s = sessionOrFail(FrameType.ACK);
        switch (s.replay().checkAck(receivedOffset)) {
            case NEW -> s.onAck(writer.acknowledged(receivedOffset));
            case NOT_NEW -> { } // at or below an earlier ACK
            case BEYOND_HEAD -> throw new ProtocolException(ErrorCode.SEQUENCE_ERROR,
                    "ACK of " + receivedOffset + " but only " + s.replay().head() + " was ever sent");
            case INSIDE_FRAME -> throw new ProtocolException(ErrorCode.SEQUENCE_ERROR,
                    "ACK of " + receivedOffset + ", which is inside a frame");
        }
    }

    @Override
    public void onDatagram(int flowId, ByteBuffer payload) throws ProtocolException {
        sessionOrFail(FrameType.DATAGRAM).onDatagram(flowId, payload);
    }

    @Override
    public void onPing(long opaque) {
        ByteBuffer slot = writer.controlSlot(FrameEncoder.LONG_FRAME_BYTES);
        if (slot != null) { // a peer that floods PINGs faster than we write loses the surplus PONGs
            FrameEncoder.pong(slot, opaque);
            requestFlush();
        }
    }

    @Override
    public void onPong(long opaque) {
        long rtt = System.nanoTime() - opaque;
        if (rtt >= 0 && rtt < TimeUnit.MINUTES.toNanos(10)) {
            lastRttNanos = rtt;
        }
    }

    @Override
    public void onGoAway(ErrorCode code, String message) {
        log.info("link {}: peer said goodbye: {} {}", name, code, message);
        if (session != null && state == LinkState.ESTABLISHED && code != ErrorCode.SESSION_TAKEN_OVER) {
            session.onPeerGoAway(code, message);
        }
        terminate(code, message, true);
    }

    // ---- liveness ------------------------------------------------------------------------------

    /** Checks six times per dead-after period, so a dead link is noticed within a sixth of it. */
    private void scheduleLiveness() {
        livenessTimer = loop.schedule(settings.deadAfter().toNanos() / 6, this::checkLiveness);
    }

    private void checkLiveness() {
        if (state == LinkState.CLOSED) {
            return;
        }
        long quiet = System.nanoTime() - lastReceivedNanos;
        if (quiet >= settings.deadAfter().toNanos()) {
            log.info("link {}: nothing received for {} ms, declaring it dead", name, TimeUnit.NANOSECONDS.toMillis(quiet));
            lost("silent for " + TimeUnit.NANOSECONDS.toMillis(quiet) + " ms");
            return;
        }
        if (state == LinkState.ESTABLISHED && !quietReported && quiet >= settings.deadAfter().toNanos() / 2) {
            quietReported = true;
            listener.onLinkQuiet(this, TimeUnit.NANOSECONDS.toMillis(quiet));
        }
        long now = System.nanoTime();
        if (quiet >= settings.pingInterval().toNanos() - TimeUnit.MILLISECONDS.toNanos(5)
                && now - lastPingNanos >= settings.pingInterval().toNanos() - TimeUnit.MILLISECONDS.toNanos(5)) {
            ByteBuffer slot = writer.controlSlot(FrameEncoder.LONG_FRAME_BYTES);
            if (slot != null) {
                lastPingNanos = now;
                FrameEncoder.ping(slot, now);
                requestFlush();
            }
        }
        scheduleLiveness();
    }

    // ---- closing -------------------------------------------------------------------------------

    /** Says goodbye with GOAWAY, lets it leave (up to a second), then closes. */
    public void close(ErrorCode code, String reason) {
        if (state == LinkState.CLOSED || state == LinkState.CLOSING) {
            return;
        }
        ByteBuffer slot = writer.controlSlot(FrameEncoder.messageFrameSize(reason));
        if (slot == null) {
            terminate(code, reason, false);
            return;
        }
        FrameEncoder.goAway(slot, code, reason);
        if (session != null && state == LinkState.ESTABLISHED && code != ErrorCode.NO_ERROR
                && code != ErrorCode.SESSION_TAKEN_OVER && code != ErrorCode.SHUTTING_DOWN) {
            session.endByError(code, reason);
        }
        state = state.next(LinkState.CLOSING);
        notifyClosed(code, reason, false);
        loop.schedule(CLOSE_LINGER_NANOS, this::finishClose);
        requestFlush();
    }

    /** The network took the link away: no goodbye possible. */
    private void lost(String reason) {
        terminate(ErrorCode.NO_ERROR, reason, false);
    }

    private void terminate(ErrorCode code, String reason, boolean byPeer) {
        if (state == LinkState.CLOSED) {
            return;
        }
        boolean wasClosing = state == LinkState.CLOSING;
        finishClose();
        if (!wasClosing) {
            notifyClosed(code, reason, byPeer);
        }
    }

    private void finishClose() {
        if (state == LinkState.CLOSED) {
            return;
        }
        state = state.next(LinkState.CLOSED);
        if (livenessTimer != null) {
            livenessTimer.cancel();
        }
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        if (key != null) {
            key.cancel();
        }
        transport.close();
    }

    private boolean closedNotified;

    private void notifyClosed(ErrorCode code, String reason, boolean byPeer) {
        if (closedNotified) {
            return;
        }
        closedNotified = true;
        SessionPort carried = session;
        session = null;
        if (carried != null) {
            carried.onLinkLost(this, reason);
        }
        listener.onLinkClosed(this, code, reason, byPeer);
    }

    @Override
    public void onFailure(Throwable bug) {
        terminate(ErrorCode.INTERNAL_ERROR, "internal error: " + bug, false);
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return message != null ? message : e.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "link " + name;
    }
}
