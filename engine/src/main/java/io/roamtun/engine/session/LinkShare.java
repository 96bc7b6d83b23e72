package io.roamtun.engine.session;

import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.ReplayShare;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.protocol.Wire;
import java.util.concurrent.TimeUnit;

/**
 * What one link of a session writes of the session's frames, by its {@link SessionLinks.Role}: all of them
 * (the link carrying the session, or the only one), none (a standby), a copy of each within the redundancy
 * byte rate (a redundant secondary: above the rate it skips what waits, which the carrying link sends), or
 * the ranges the {@link AggregateScheduler} gives it. A link moved to (promoted) or left alone by a lost one
 * goes back to the peer's last ACK first: what the other link had in flight is sent again.
 */
final class LinkShare implements ReplayShare, AggregateScheduler.Path {
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    final Link link;
    private final SessionLinks links;
    private final ReplayBuffer replay;
    boolean metered;
    /** A frame start to go back to at the next frame boundary, or -1. */
    private long rewindTo = -1;
    /** Redundant: bytes this link may still copy (a token bucket of the redundancy rate, a quarter second deep). */
    private double tokens = Double.MAX_VALUE; // (full at first: a link that just joined copies what comes at once)
    private long refilledAt = System.nanoTime();
    private long skipped;
    /** Aggregate: the end of the range given, and the scheduler's generation it belongs to. */
    private long claimEnd = -1;
    private long claimGeneration = -1;
    /** Bytes written in the current one-second window, and the rate of the last whole window. */
    private long windowBytes;
    private long windowStart = System.nanoTime();
    private long bytesPerSecond;

    LinkShare(Link link, SessionLinks links, ReplayBuffer replay) {
        this.link = link;
        this.links = links;
        this.replay = replay;
    }

    /** Awaiting the client's PATH (server): a joined link, or a primary left behind, writes nothing until it says what the link is for. */
    boolean awaitingPath;

    /** At the next frame boundary, write again from the peer's last ACK. */
    void rewind() {
        rewindTo = replay.highestAck();
        claimEnd = -1;
    }

    /** As {@link #rewind}, from the later of that and {@code peerReceived} (a frame start the peer named). */
    void rewindTo(long frameStart) {
        rewindTo = Math.max(frameStart, replay.highestAck());
        claimEnd = -1;
    }

    @Override
    public long from(long cursor) {
        long at = cursor;
        if (rewindTo >= 0) {
            at = rewindTo;
            rewindTo = -1;
            claimEnd = -1;
        }
        return switch (links.roleOf(this)) {
            case ALL, NONE -> at;
            case COPY -> copyFrom(at);
            case CLAIM -> claimFrom(at);
        };
    }

    @Override
    public long until(long from) {
        return switch (links.roleOf(this)) {
            case ALL -> replay.head();
            case NONE -> from;
            case COPY -> replay.head() - replay.highestAck() <= Wire.REORDER_WINDOW ? replay.head() : from;
            case CLAIM -> claimGeneration == links.scheduler().generation() && claimEnd > from ? claimEnd : from;
        };
    }

    private long copyFrom(long cursor) {
        long now = System.nanoTime();
        long rate = links.redundantMax();
        double depth = Math.max(16 * 1024, rate / 4.0);
        tokens = Math.min(depth, tokens + (now - refilledAt) * (rate / 1e9));
        refilledAt = now;
        long waiting = replay.head() - cursor;
        if (waiting <= tokens) {
            return cursor;
        }
        skipped += waiting; // bulk: the carrying link sends it; this one copies what comes next, within the rate
        return replay.head();
    }

    private long claimFrom(long cursor) {
        AggregateScheduler scheduler = links.scheduler();
        if (claimGeneration == scheduler.generation() && cursor < claimEnd) {
            return cursor;
        }
        long start = scheduler.claim(this, links.claimingPaths());
        if (start < 0) {
            claimEnd = -1;
            return cursor;
        }
        claimEnd = scheduler.claimEnd();
        claimGeneration = scheduler.generation();
        return start;
    }

    @Override
    public void wrote(long bytes) {
        if (links.roleOf(this) == SessionLinks.Role.COPY) {
            tokens -= bytes;
        }
        long now = System.nanoTime();
        windowBytes += bytes;
        if (now - windowStart >= WINDOW_NANOS) {
            bytesPerSecond = windowBytes * 1_000_000_000L / (now - windowStart);
            windowBytes = 0;
            windowStart = now;
        }
    }

    /** The rate of the last whole second in which this link wrote, 0 after a second without writing. */
    long bytesPerSecond() {
        return System.nanoTime() - windowStart > 2 * WINDOW_NANOS ? 0 : bytesPerSecond;
    }

    /** Redundant: bytes this link did not copy, being over the rate. */
    long skippedBytes() { return skipped; }

    @Override
    public long rttNanos() { return link.smoothedRttNanos(); }

    @Override
    public boolean hasRoom() { return !link.writeBlocked(); }
}
