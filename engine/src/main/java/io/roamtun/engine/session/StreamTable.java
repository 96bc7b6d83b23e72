package io.roamtun.engine.session;

import io.roamtun.engine.resend.SessionSequence;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionFrameHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's streams by id, and where the peer's session frames land: sequenced frames are placed in the
 * sequence, then routed to their stream; ACKs go to the sequence. Each side opens ids of its own parity in
 * increasing order; an id at or below the highest seen is over, one above it was never opened.
 */
public final class StreamTable implements SessionFrameHandler {
    private static final Logger log = LoggerFactory.getLogger(StreamTable.class);

    private final Session session;
    private final Role role;
    private final SessionSequence sequence;
    private final StreamAdmission admission;
    private final Map<Integer, Stream> streams = new HashMap<>();
    private int nextLocalStreamId;
    private int highestPeerStreamId;
    /** Refused streams whose OPEN_FAIL is not written yet. */
    private final Set<Integer> refusals = new HashSet<>();
    /** Streams the peer opened and admission let connect: each holds a place in the agent's quota. */
    private final Set<Integer> admitted = new HashSet<>();
    /** DATA payloads kept until the decode that brought them ends, for gathering writes. */
    private final GatheredDelivery gathered = new GatheredDelivery();

    StreamTable(Session session, Role role, SessionSequence sequence, StreamAdmission admission) {
        this.session = session;
        this.role = role;
        this.sequence = sequence;
        this.admission = admission;
        this.nextLocalStreamId = role.firstStreamId();
    }

    int size() {
        return streams.size();
    }

    Collection<Stream> all() {
        return streams.values();
    }

    void useServices(ServiceDirectory services) {
        admission.useServices(services);
    }

    void useQuota(StreamQuota quota, String owner) {
        admission.useQuota(quota, owner);
    }

    /** A local connection was accepted for {@code service}: a stream whose OPEN goes to the peer. */
    void open(SocketChannel accepted, String service, boolean sessionClosed) throws IOException {
        int max = session.settings().maxStreams();
        String refusal = sessionClosed ? "session closed" : nextLocalStreamId < 0 || streams.size() >= max
                ? "stream limit " + max + " reached" : admission.takeLocal(); // the quota's place is taken last
        if (refusal != null) {
            log.warn("session {}: refusing a connection for {}: {}", session.label(), service, refusal);
            accepted.close();
            return;
        }
        int streamId = nextLocalStreamId;
        if (admission.counting()) {
            admitted.add(streamId); // its place in the quota is given back when it is removed, as a peer's is
        }
        nextLocalStreamId += 2;
        Stream stream = Stream.opening(session, streamId, service, accepted);
        streams.put(streamId, stream);
        log.debug("session {}: stream {} opened for service {}", session.label(), streamId, service);
        session.sendQueue().sendOwedFrames(stream);
        // The app's first bytes are often there already: read them now, so they leave with the OPEN in this
        // turn's write instead of a turn later (nothing is read until the OPEN is queued).
        stream.readLocal();
    }

    /** The peer's initial window became known (WELCOME after streams were made). */
    void addSendWindow(int credit) {
        for (Stream stream : new ArrayList<>(streams.values())) {
            stream.addSendWindow(credit);
        }
    }

    void remove(Stream stream) {
        streams.remove(stream.id());
        if (refusals.remove(stream.id())) {
            admission.refusalWritten(sequence.replay().head()); // its OPEN_FAIL is out: it counts until acknowledged
        }
        if (admitted.remove(stream.id())) {
            admission.released();
        }
        log.debug("session {}: stream {} closed ({} bytes out, {} in)", session.label(), stream.id(), stream.bytesToPeer(),
                stream.bytesFromPeer());
    }

    GatheredDelivery gathered() {
        return gathered;
    }

    /** The session is over: every stream's local socket is reset (after what arrived for it is written). */
    void abandonAll() {
        gathered.writeAll();
        for (Stream stream : new ArrayList<>(streams.values())) {
            stream.abandon();
        }
        streams.clear();
        refusals.clear();
        for (int i = admitted.size(); i > 0; i--) {
            admission.released();
        }
        admitted.clear();
    }

    List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Stream stream : streams.values()) {
            lines.add(stream + " out=" + stream.bytesToPeer() + " in=" + stream.bytesFromPeer() + " queued=" + stream.queuedBytes());
        }
        return lines;
    }

    // ---- frames from the peer --------------------------------------------------------------------

    @Override
    public boolean admitSequenced(FrameType type, long seq, int frameBytes) throws ProtocolException {
        return sequence.acks().admit(type, seq, frameBytes);
    }

    /** MULTIPATH: frames that arrive ahead of their place by another link wait here; null with one link only. */
    private HeldFrames held;

    /** From now on frames ahead of their place are held, not refused (the session negotiated MULTIPATH). */
    void holdFramesAhead(int maxPayload) {
        if (held == null) {
            held = new HeldFrames(role, maxPayload, sequence.acks());
        }
    }

    /** Bytes of the peer's frames held until those before them arrive (MULTIPATH), 0 with one link. */
    long bytesHeld() {
        return held == null ? 0 : held.bytesHeld();
    }

    /** Frames of the peer that arrived ahead of their place and were held (MULTIPATH), since the start. */
    long framesHeldEver() {
        return held == null ? 0 : held.framesHeldEver();
    }

    @Override
    public Placement place(FrameType type, long seq, int frameBytes) throws ProtocolException {
        if (held == null) {
            return admitSequenced(type, seq, frameBytes) ? Placement.TAKE : Placement.SKIP;
        }
        held.takeNextInto(this); // frames the last one taken made next come before this one
        return held.place(type, seq, frameBytes);
    }

    @Override
    public void hold(long seq, ByteBuffer frame) throws ProtocolException {
        held.hold(seq, frame);
    }

    /** Handles the held frames that are next in the sequence now (after each batch read). */
    void takeHeld() throws ProtocolException {
        if (held != null) {
            held.takeNextInto(this);
        }
    }

    @Override
    public void beforeBatch() {
        gathered.decodeStarts();
    }

    @Override
    public void afterBatch() {
        gathered.decodeEnds();
    }

    @Override
    public void onAck(long offset) throws ProtocolException {
        sequence.onPeerAck(offset);
    }

    @Override
    public void onDatagram(int flowId, ByteBuffer payload) throws ProtocolException {
        if (!io.roamtun.protocol.Capabilities.has(session.capabilities(), io.roamtun.protocol.Capabilities.DATAGRAMS)) {
            throw new ProtocolException(ErrorCode.NOT_SUPPORTED, "DATAGRAM was not negotiated");
        }
        if (!session.isClosed()) {
            session.datagrams().received(flowId, payload);
        }
    }

    @Override
    public void onOpen(int streamId, String service) throws ProtocolException {
        if (session.isClosed()) {
            return; // frames still arriving on the link of a session that was just ended
        }
        if (streamId <= highestPeerStreamId && highestPeerStreamId != 0) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID, "OPEN reuses stream id " + streamId);
        }
        highestPeerStreamId = streamId;
        StreamAdmission.Decision decision = admission.decide(session.label(), streamId, service, streams.size(), refusals.size(),
                sequence.replay().highestAck());
        if (decision.target() == null) {
            Stream refused = Stream.refused(session, streamId, service, decision.refusal(), decision.why());
            streams.put(streamId, refused);
            refusals.add(streamId);
            session.sendQueue().sendOwedFrames(refused);
            return;
        }
        Stream stream = Stream.connecting(session, streamId, service);
        streams.put(streamId, stream);
        admitted.add(streamId);
        log.debug("session {}: stream {} connecting to {} ({})", session.label(), streamId, service, decision.target());
        stream.connect(decision.target());
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

    private void requireOwn(FrameType type, int streamId) throws ProtocolException {
        if (!role.opens(streamId)) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_ID, type + " for stream " + streamId + " that the peer opened");
        }
    }

    /** Applies a frame to a stream; a stream-level violation resets that stream and nothing else. */
    private interface StreamAction {
        void apply(Stream stream) throws ProtocolException;
    }

    private void onStreamFrame(FrameType type, int streamId, StreamAction action) throws ProtocolException {
        Stream stream = streams.get(streamId);
        if (stream == null) {
            boolean seenBefore = role.opens(streamId) ? streamId < nextLocalStreamId || nextLocalStreamId < 0
                    : streamId <= highestPeerStreamId;
            if (!seenBefore) {
                throw new ProtocolException(ErrorCode.BAD_STREAM_ID, type + " for stream " + streamId + " that was never opened");
            }
            return; // the stream is over: the frame is ignored
        }
        if (type != FrameType.DATA && gathered.holds(stream)) {
            gathered.writeAll(); // the stream's DATA before its FIN, RESET, ...: in the order they came
        }
        try {
            action.apply(stream);
        } catch (ProtocolException e) {
            if (e.isConnectionError()) {
                throw e;
            }
            gathered.writeAll(); // what came before the violation reaches the app, as it would have unkept
            log.warn("session {}: {}; resetting the stream", session.label(), e.toString());
            stream.reset(e.code());
        }
    }
}
