package io.roamtun.engine.session;

import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.text.Sizes;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decides whether a stream the peer opens may connect: its service, the stream limit, the agent's memory. */
final class StreamAdmission {
    private static final Logger log = LoggerFactory.getLogger(StreamAdmission.class);
    /**
     * Refusals (OPEN_FAIL) the peer has not acknowledged yet, waiting to be written or written and not
     * acknowledged. Each stays in the replay buffer until the peer's ACK, beyond the streams' own bound, so
     * a peer that goes on opening streams while not acknowledging the refusals is flooding: its session ends.
     */
    static final int MAX_REFUSALS_OWED = 1024;

    /** Admitted ({@code target} set) or refused with a code and a reason for the peer. */
    record Decision(InetSocketAddress target, ErrorCode refusal, String why) {
        static Decision refuse(ErrorCode code, String why) {
            return new Decision(null, code, why);
        }
    }

    private final int maxStreams;
    /** Null when the agent has no memory cap (unit tests). */
    private final MemoryBudget budget;
    /** What the peer may open; replaced when the server's client list changes (new streams only). */
    private ServiceDirectory services;
    /** The agent's streams in all and per client (null: none, unit tests), and this session's client. */
    private StreamQuota quota;
    private String owner = "";
    /** Where each refusal written and not acknowledged ends in the replay buffer, oldest first. */
    private final ArrayDeque<Long> refusalsInFlight = new ArrayDeque<>();

    StreamAdmission(int maxStreams, MemoryBudget budget, ServiceDirectory services) {
        this.maxStreams = maxStreams;
        this.budget = budget;
        this.services = services;
    }

    void useServices(ServiceDirectory services) {
        this.services = services;
    }

    /** Streams the peer opens count against {@code quota}, as {@code owner}'s. */
    void useQuota(StreamQuota quota, String owner) {
        this.quota = quota;
        this.owner = owner;
    }

    /**
     * A stream this side opens for a local connection (a server's reverse stream) holds a descriptor too:
     * it takes a place in the quota as well. Null when it may; else why not. Without a quota: always null.
     */
    String takeLocal() {
        return quota == null ? null : quota.take(owner);
    }

    boolean counting() {
        return quota != null;
    }

    /** A stream this admission let connect is over: its place in the quota is free. */
    void released() {
        if (quota != null) {
            quota.release(owner);
        }
    }

    /** A refusal's OPEN_FAIL is in the replay buffer, ending at {@code endOffset}: it counts until acknowledged. */
    void refusalWritten(long endOffset) {
        refusalsInFlight.addLast(endOffset);
    }

    /**
     * The decision for stream {@code streamId} to {@code service} while {@code held} streams exist, of which
     * {@code refusalsWaiting} are refusals not written yet, and the peer acknowledged up to {@code acked}.
     *
     * @throws ProtocolException LIMIT_EXCEEDED when the peer floods: it opens streams while not acknowledging
     *                           {@link #MAX_REFUSALS_OWED} refusals
     */
    Decision decide(String label, int streamId, String service, int held, int refusalsWaiting, long acked)
            throws ProtocolException {
        while (!refusalsInFlight.isEmpty() && refusalsInFlight.peekFirst() <= acked) {
            refusalsInFlight.pollFirst();
        }
        int owed = refusalsWaiting + refusalsInFlight.size();
        if (owed >= MAX_REFUSALS_OWED) {
            log.warn("session {}: the peer opened stream {} with {} refusals it has not acknowledged; ending the session",
                    label, streamId, owed);
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "too many streams opened while " + owed
                    + " refusals of earlier ones are not acknowledged");
        }
        if (quota != null && quota.draining()) {
            log.debug("session {}: stream {} refused: draining", label, streamId);
            return Decision.refuse(ErrorCode.SHUTTING_DOWN, "the server-service is shutting down: no new streams");
        }
        InetSocketAddress target = services.resolve(service);
        if (target == null) {
            String why = services.whyNot(service);
            log.info("session {}: stream {} refused: {}", label, streamId, why);
            return Decision.refuse(ErrorCode.UNKNOWN_SERVICE, why);
        }
        if (held >= maxStreams) {
            log.warn("session {}: stream {} refused: stream limit {} reached", label, streamId, maxStreams);
            return Decision.refuse(ErrorCode.STREAM_LIMIT, "stream limit " + maxStreams + " reached");
        }
        if (budget != null && budget.overLimit()) {
            log.debug("session {}: stream {} refused: buffer memory over its budget", label, streamId); // the budget logs the episode
            return Decision.refuse(ErrorCode.STREAM_LIMIT, "buffer memory is over its budget (--max-buffer-memory "
                    + Sizes.format(budget.limit()) + "); try again later");
        }
        String overQuota = quota != null ? quota.take(owner) : null;
        if (overQuota != null) {
            log.debug("session {}: stream {} refused: {}", label, streamId, overQuota);
            return Decision.refuse(ErrorCode.STREAM_LIMIT, overQuota);
        }
        return new Decision(target, null, null);
    }
}
