package io.roamtun.engine.link;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.loop.Timer;
import io.roamtun.engine.text.IoErrors;
import io.roamtun.engine.text.LogSafe;
import io.roamtun.engine.transport.LinkTransport;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection between the agents: reads and decodes frames, handles the handshake and link-control
 * frames, hands the session's frames to the session it carries, keeps itself alive ({@link LinkLiveness})
 * and writes through {@link LinkWriter}. The session may outlive it; the link never decides the fate of
 * streams, it only reports that it is gone. It ends one of two ways: {@link #close} says goodbye with
 * GOAWAY first, {@link #abort} does not (the network under it is gone).
 */
public final class Link implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(Link.class);
    /** Reads per readiness event before other channels get their turn. */
    private static final int READS_PER_EVENT = 4;
    /** How long a GOAWAY may take to leave before the socket is closed anyway. */
    private static final long CLOSE_LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventLoop loop;
    private final LinkTransport transport;
    private final LinkSettings settings;
    private final LinkListener listener;
    private final LinkReader reader;
    private final LinkWriter writer;
    private final LinkLiveness liveness;
    private final LinkControlFrames controlFrames;
    private final String name;
    private SelectionKey key;
    private LinkState state = LinkState.HANDSHAKING;
    private SessionPort session;
    /** Where the session's frames go: refused before the handshake, the session's once attached, dropped once closed. */
    private final SessionFrameRouting sessionFrames = new SessionFrameRouting();
    private boolean flushScheduled;
    /** The last flush found the transport in its handshake: what it could not write goes once the peer answers. */
    private boolean flushWaitsForHandshake;
    private Timer handshakeTimer;
    private boolean everEstablished;
    /** What this link's last ACK said (-1: none yet). */
    private long ackWritten = -1;
    /** The session changed what this link writes: see {@link LinkWriter#shareChanged}; returns where its frames end for now. */
    public long shareChanged() { return writer.shareChanged(); }

    /** Whether this link belongs to a session it does not carry (MULTIPATH: a secondary). */
    public boolean besideItsSession() {
        return session != null && state == LinkState.ESTABLISHED && session.link() != this;
    }

    /** The last flush left bytes the socket did not take. */
    private boolean writeBlocked;
    /** What the session lets this link write, counted (a link among several writes a share of the frames). */
    private CountingShare share;
    private boolean closedNotified;

    public Link(EventLoop loop, LinkTransport transport, Role local, LinkSettings settings, LinkListener listener, String name) {
        this.loop = loop;
        this.transport = transport;
        this.settings = settings;
        this.listener = listener;
        this.reader = new LinkReader(transport, local, name);
        this.writer = new LinkWriter(transport, name);
        this.name = name;
        this.controlFrames = new LinkControlFrames(this, listener, writer, loop, settings);
        this.liveness = controlFrames.liveness();
    }

    /** Registers with the loop and starts the handshake clock. Loop thread. */
    public void start() throws IOException {
        start(null);
    }

    /** Starts on a channel that may be registered already (a client's connect): a cancelled key cannot be replaced this turn. */
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
        liveness.start();
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
        return liveness.lastRttNanos();
    }

    /** True once the link carried a session (a handshake completed on it). */
    public boolean everEstablished() {
        return everEstablished;
    }

    /** Offset up to which the session's frames have been written on this link. */
    public long sentOffset() {
        return writer.sentOffset();
    }

    /** Queues a HELLO; the client's first words. */
    public void sendHello(Hello hello) {
        controlFrames.queueHello(hello);
        requestFlush();
    }

    /** Queues a RESUME (the client's first words on a new link), made by {@code make} from the connection's binding once its handshake is done. */
    public void sendResume(Function<byte[], Resume> make) {
        writer.afterHandshake(() -> controlFrames.queueResume(make.apply(transport.channelBinding())));
        requestFlush();
    }

    /** Queues a RESUMED; the session's replayed frames follow it (control frames go first). */
    public void sendResumed(long receivedOffset, long sentOffset, byte[] nextNonce) {
        controlFrames.queueResumed(receivedOffset, sentOffset, nextNonce);
        requestFlush();
    }

    /** Queues WELCOME (the server, after {@link LinkListener#onHello}); the session attaches the link next. */
    public void sendWelcome(Welcome welcome) {
        controlFrames.queueWelcome(welcome);
    }

    /** Starts carrying {@code session}, sending its frames from {@code resendFrom}. */
    public void attach(SessionPort session, long resendFrom) {
        attach(session, resendFrom, ReplayShare.all(session.replay()));
    }

    /** Starts as a link of {@code session} (MULTIPATH: maybe one among several), writing the frames {@code share} gives it. */
    public void attach(SessionPort session, long resendFrom, ReplayShare share) {
        this.session = session;
        sessionFrames.to(session.frames());
        everEstablished = true;
        reader.established();
        this.share = new CountingShare(share);
        writer.sendReplayFrom(session.replay(), resendFrom, this.share);
        state = state.next(LinkState.ESTABLISHED);
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        requestFlush();
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
        // Only the link carrying the session takes its ACK (and links beside it that carry frames too): an old
        // one it just left would lose it with itself.
        boolean moreDatagrams = false;
        if (session != null && state.carriesSession()) {
            ByteBuffer slot = writer.controlSlot(FrameEncoder.LONG_FRAME_BYTES);
            if (slot != null) { // only then take the ACK: one taken and not queued would be lost for good
                long ack = session.ackFor(this, ackWritten);
                if (ack >= 0) {
                    FrameEncoder.ack(slot, ack);
                    ackWritten = ack;
                }
            }
            if (session.link() == this) {
                moreDatagrams = session.drainDatagrams(writer::datagramSlot); // UDP jumps the streams' queue, within its room
            }
        }
        try {
            switch (writer.flush(state.carriesSession())) {
                case BLOCKED -> {
                    setInterest(SelectionKey.OP_WRITE, true);
                    if (!writeBlocked && session != null) {
                        writeBlocked = true;
                        session.onLinkBlocked(this);
                    }
                    writeBlocked = true;
                }
                case WAITING -> { // the peer's bytes move it on: see onReadable
                    setInterest(SelectionKey.OP_WRITE, false);
                    flushWaitsForHandshake = true;
                }
                case DONE -> {
                    writeBlocked = false;
                    setInterest(SelectionKey.OP_WRITE, false);
                    if (state == LinkState.CLOSING) {
                        release();
                    } else if (moreDatagrams) {
                        requestFlush(); // the control run is empty now: what is left of the queue goes next
                    }
                }
            }
        } catch (IOException e) {
            abort("write failed: " + IoErrors.describe(e));
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
            int reads = 0;
            while (reads++ < READS_PER_EVENT && readOnce()) {
                continue; // each read decodes what it brought
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
            // A handshake step may have left records to write or freed what waited for it; session frames not
            if (!waitingForWritable && (transport.hasBufferedOutput() || writer.hasPending(flushWaitsForHandshake && state.carriesSession()))) {
                flushWaitsForHandshake = false; // flushed yet wait on purpose (an OPEN_OK rides with the next write)
                requestFlush();
            }
        } catch (ProtocolException e) {
            if (e.code().isRefusal()) {
                log.debug("link {}: refused: {}", name, e.toString()); // the refusing side logged why
            } else {
                log.warn("link {}: peer broke the protocol: {}", name, e.toString());
            }
            SessionPort member = !e.code().isRefusal() && state == LinkState.ESTABLISHED && !carriesItsSession() ? session : null;
            close(e.code(), e.getMessage());
            if (member != null) { // a link beside the one carrying the session: the session's rules were broken all the same
                Link primary = member.link();
                if (primary != null) {
                    primary.close(e.code(), e.getMessage()); // (its GOAWAY ends the session on both sides)
                } else {
                    member.onGoAway(e.code(), e.getMessage(), false);
                }
            }
        } catch (IOException e) {
            abort("read failed: " + IoErrors.describe(e));
        }
    }

    /** One read and the decoding of what it brought; false when there is no point reading again now. */
    private boolean readOnce() throws IOException, ProtocolException {
        boolean closing = state == LinkState.CLOSING; // (it drains what still arrives, until the peer closes)
        int n = reader.read(controlFrames, sessionFrames, closing);
        if (n < 0) {
            abort(closing ? "closed" : "closed by peer");
            return false;
        }
        if (n > 0) {
            liveness.received();
        }
        return n > 0 && state != LinkState.CLOSED && (closing || reader.worthReadingAgain());
    }

    /** The peer said GOAWAY: the link ends, and the session it carries too unless the code {@link #endsOnlyTheLink}. */
    void peerSaidGoodbye(ErrorCode code, String peerText) {
        String message = LogSafe.escape(peerText); // it ends up in log lines and in status
        log.info("link {}: peer said goodbye: {} {}", name, code, message);
        if (carriesItsSession() && !endsOnlyTheLink(code)) {
            session.onGoAway(code, message, true);
        }
        terminate(code, message, true);
    }

    /**
     * GOAWAY codes that end only the link, not the session: SESSION_TAKEN_OVER (the session moved to another
     * link) and KEEPALIVE_TIMEOUT (the sender heard nothing for dead-after; the session waits for a resume).
     */
    public static boolean endsOnlyTheLink(ErrorCode code) {
        return code == ErrorCode.SESSION_TAKEN_OVER || code == ErrorCode.KEEPALIVE_TIMEOUT;
    }

    private boolean carriesItsSession() {
        return session != null && state == LinkState.ESTABLISHED && session.link() == this;
    }

    /** MULTIPATH: the client says what this link is for; the session it belongs to decides. */
    void onPath(io.roamtun.protocol.PathControl path) throws ProtocolException {
        if (session == null || state != LinkState.ESTABLISHED) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "PATH on a link that carries no session");
        }
        session.onPath(this, path);
    }

    /** Client, MULTIPATH: queues a PATH saying what this link is for; false when the control queue is full. */
    public boolean sendPath(io.roamtun.protocol.PathControl path) {
        ByteBuffer slot = state == LinkState.ESTABLISHED ? writer.controlSlot(FrameEncoder.PATH_FRAME_BYTES) : null;
        if (slot != null) {
            FrameEncoder.path(slot, path);
            requestFlush();
        }
        return slot != null;
    }

    /** The last flush left bytes the socket did not take (a full path, for a scheduler among several links). */
    public boolean writeBlocked() { return writeBlocked; }

    /** The session's frames written on this link. */
    public long sessionBytesWritten() { return share == null ? 0 : share.bytes(); }

    /** Smoothed round trip of the PINGs, in nanoseconds, or -1 before the first PONG. */
    public long smoothedRttNanos() { return liveness.smoothedRttNanos(); }

    /** PINGs sent on this link, and PONGs that came back. */
    public long pingsSent() { return liveness.pingsSent(); }

    public long pongsReceived() { return liveness.pongsReceived(); }

    /** PINGs every {@code interval} whatever arrives (a link among several: its round trip steers the sending). */
    public void pingSteadily(java.time.Duration interval) { liveness.pingSteadily(interval.toNanos()); }

    /** Server: tells the client this node is draining (MOVING), at the next flush; dropped if the control queue is full. */
    public void sendMoving() {
        ByteBuffer slot = state == LinkState.ESTABLISHED ? writer.controlSlot(FrameEncoder.EMPTY_FRAME_BYTES) : null;
        if (slot != null) {
            FrameEncoder.moving(slot);
            requestFlush();
        }
    }

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
        boolean endsSession = carriesItsSession() && !endsOnlyTheLink(code);
        state = state.next(LinkState.CLOSING); // first: the session's end may close this link again (a no-op now)
        if (endsSession) {
            session.onGoAway(code, reason, false); // it ends the session on the peer's side: here too
        }
        notifyClosed(code, reason, false);
        loop.schedule(CLOSE_LINGER_NANOS, this::release);
        requestFlush();
    }

    /** The network under this link is gone (its interface, or the peer): closed at once, without a goodbye. */
    public void abort(String reason) {
        terminate(ErrorCode.NO_ERROR, reason, false);
    }

    /** Nothing arrived for dead-after: GOAWAY KEEPALIVE_TIMEOUT goes out if the socket takes it at once (a one-way dead path), then the link is lost. */
    void declareDead(long quietMillis) {
        String reason = "silent for " + quietMillis + " ms";
        log.info("link {}: nothing received for {} ms, declaring it dead", name, quietMillis);
        ByteBuffer slot = writer.controlSlot(FrameEncoder.messageFrameSize(reason));
        if (slot != null) {
            FrameEncoder.goAway(slot, ErrorCode.KEEPALIVE_TIMEOUT, reason);
            try {
                writer.flush(false);
            } catch (IOException e) {
                log.debug("link {}: the KEEPALIVE_TIMEOUT did not leave: {}", name, IoErrors.describe(e));
            }
        }
        terminate(ErrorCode.KEEPALIVE_TIMEOUT, reason, false);
    }

    private void terminate(ErrorCode code, String reason, boolean byPeer) {
        if (state == LinkState.CLOSED) {
            return;
        }
        boolean wasClosing = state == LinkState.CLOSING;
        release();
        if (!wasClosing) {
            notifyClosed(code, reason, byPeer);
        }
    }

    /** The socket, the key and the timers go; the link is CLOSED. */
    private void release() {
        if (state == LinkState.CLOSED) {
            return;
        }
        state = state.next(LinkState.CLOSED);
        liveness.stop();
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        if (key != null) {
            key.cancel();
        }
        transport.close();
    }

    private void notifyClosed(ErrorCode code, String reason, boolean byPeer) {
        if (closedNotified) {
            return;
        }
        closedNotified = true;
        sessionFrames.closed();
        writer.stopCarrying();
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

    @Override
    public String toString() {
        return "link " + name;
    }
}
