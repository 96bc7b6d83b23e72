package io.roamtun.engine.session;

import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.SessionPort;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.protocol.PathControl;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The links of one session: the one carrying it (the primary: it takes the ACKs, and all frames but in
 * aggregate) and, with MULTIPATH, up to two beside it, each with its {@link LinkShare} of the frames. How
 * they share is the session's {@link PathControl.Mode}, which the client sets and the server follows; without
 * one (no MULTIPATH, or a client with {@code --multipath off}) the session has one link at a time, as ever.
 */
final class SessionLinks {
    /** The primary and two beside it. */
    static final int MAX_LINKS = 3;
    /** Links of a session with several PING this often, so their round trips are fresh for the scheduler. */
    static final Duration STEADY_PING = Duration.ofMillis(250);
    /** Aggregate: each link's socket buffer, so that what a slow path holds unsent stays a fraction of the reorder window. */
    static final int AGGREGATE_SEND_BUFFER = 128 * 1024;
    /** Redundant: what a secondary copies at most, by default, in bytes a second. */
    static final long DEFAULT_REDUNDANT_MAX = 256 * 1024;

    /** What a link does with the session's frames. */
    enum Role {
        /** Writes all of them, in order. */
        ALL,
        /** Writes none (a standby: PING and PONG only). */
        NONE,
        /** Writes a copy of each within the redundancy rate. */
        COPY,
        /** Writes the ranges the aggregate scheduler gives it. */
        CLAIM
    }

    private final ReplayBuffer replay;
    private final AggregateScheduler scheduler;
    private final List<LinkShare> members = new ArrayList<>(MAX_LINKS);
    private LinkShare primary;
    private PathControl.Mode mode;
    private long redundantMax = DEFAULT_REDUNDANT_MAX;

    SessionLinks(ReplayBuffer replay) {
        this.replay = replay;
        this.scheduler = new AggregateScheduler(new AggregateScheduler.Frames() {
            @Override public long head() { return replay.head(); }
            @Override public long highestAck() { return replay.highestAck(); }
            @Override public int frameBytesAt(long offset) { return replay.frameBytesAt(offset); }
        });
    }

    Link primary() {
        return primary == null ? null : primary.link;
    }

    PathControl.Mode mode() { return mode; }

    long redundantMax() { return redundantMax; }

    AggregateScheduler scheduler() { return scheduler; }

    int size() { return members.size(); }

    boolean contains(Link link) {
        return find(link) != null;
    }

    /** Whether another link may join: the session uses a mode and has room. */
    boolean mayJoin() {
        return mode != null && members.size() < MAX_LINKS;
    }

    /** The mode and redundancy rate from now on (null mode: one link at a time). */
    void use(PathControl.Mode mode, long redundantMax) {
        boolean claimed = beforeRolesChange();
        this.mode = mode;
        this.redundantMax = redundantMax;
        afterRolesChange(claimed);
    }

    /** {@code link} carries the session from now on, alone among these or beside the others; it writes from {@code from}. */
    void carry(SessionPort session, Link link, long from, boolean metered) {
        boolean claimed = beforeRolesChange();
        LinkShare share = find(link);
        if (share == null) {
            share = new LinkShare(link, this, replay);
            members.add(share);
            primary = share;
            link.attach(session, from, share);
        } else {
            primary = share;
            share.rewindTo(from);
            link.requestFlush();
        }
        share.metered = metered;
        share.awaitingPath = false;
        afterRolesChange(claimed);
    }

    /** Server: {@code link}, which carried the session, writes nothing until the client's PATH says what it is for now. */
    void leftBehind(Link link) {
        LinkShare share = find(link);
        if (share != null && share != primary) {
            boolean claimed = beforeRolesChange();
            share.awaitingPath = true;
            afterRolesChange(claimed);
        }
    }

    /** {@code link} joins the session beside the primary (MULTIPATH); its share follows the mode. */
    void join(SessionPort session, Link link, boolean metered, boolean awaitingPath) {
        boolean claimed = beforeRolesChange();
        LinkShare share = new LinkShare(link, this, replay);
        share.metered = metered;
        share.awaitingPath = awaitingPath;
        members.add(share);
        link.attach(session, replay.highestAck(), share);
        afterRolesChange(claimed);
    }

    /** What {@code link} is for, as the client says: its metering (its role changes only by {@link #carry}). */
    void meter(Link link, boolean metered) {
        LinkShare share = find(link);
        if (share != null && (share.metered != metered || share.awaitingPath)) {
            boolean claimed = beforeRolesChange();
            share.metered = metered;
            share.awaitingPath = false;
            afterRolesChange(claimed);
        }
    }

    /** {@code link} is gone; true when it was the primary. Links that shared its frames send again what it had in flight. */
    boolean remove(Link link) {
        LinkShare share = find(link);
        if (share == null) {
            return false;
        }
        boolean wasPrimary = share == primary;
        boolean hadFrames = roleOf(share) != Role.NONE;
        boolean claimed = beforeRolesChange();
        members.remove(share);
        if (wasPrimary) {
            primary = null;
        }
        if (hadFrames) {
            rewindSharing(); // (a copy may have skipped what the lost one carried; its ranges are void)
        }
        afterRolesChange(claimed);
        return wasPrimary;
    }

    /** Every link that writes frames goes back to the peer's last ACK; the scheduler gives everything unacknowledged out again. */
    private void rewindSharing() {
        scheduler.rewind();
        for (LinkShare other : members) {
            if (roleOf(other) != Role.NONE) {
                other.rewind();
                other.link.requestFlush();
            }
        }
    }

    /** The peer acknowledged more: links waiting for the reorder window (aggregate, redundant) may write again. */
    void acknowledged() {
        if (members.size() > 1 && mode != null && mode != PathControl.Mode.STANDBY) {
            requestFlush();
        }
    }

    /** The links beside the primary, to close when the session ends. */
    List<Link> others() {
        List<Link> others = new ArrayList<>();
        for (LinkShare share : members) {
            if (share != primary) {
                others.add(share.link);
            }
        }
        return others;
    }

    Role roleOf(LinkShare share) {
        if (share == primary) {
            return mode == PathControl.Mode.AGGREGATE && members.size() > 1 ? Role.CLAIM : Role.ALL;
        }
        if (primary == null || mode == null || share.awaitingPath || !members.contains(share)) {
            return Role.NONE; // (suspended: nothing moves until the client names a link to carry the session)
        }
        return switch (mode) {
            case STANDBY -> Role.NONE;
            case REDUNDANT -> Role.COPY;
            case AGGREGATE -> share.metered && !primary.metered ? Role.NONE : Role.CLAIM;
        };
    }

    /** The links that take ranges from the aggregate scheduler. */
    List<LinkShare> claimingPaths() {
        List<LinkShare> claiming = new ArrayList<>(members.size());
        for (LinkShare share : members) {
            if (roleOf(share) == Role.CLAIM) {
                claiming.add(share);
            }
        }
        return claiming;
    }

    /** The ACK {@code link} writes now (see {@link SessionPort#ackFor}). */
    long ackFor(Link link, long lastOnLink, long received, java.util.function.LongSupplier takeDue) {
        LinkShare share = find(link);
        if (share == null) {
            return -1;
        }
        if (share == primary) {
            return takeDue.getAsLong();
        }
        Role role = roleOf(share);
        return (role == Role.COPY || role == Role.CLAIM) && received > lastOnLink ? received : -1;
    }

    /** Every link writes at the end of this loop turn (the ones with nothing to write do nothing). */
    void requestFlush() {
        for (int i = 0; i < members.size(); i++) {
            members.get(i).link.requestFlush();
        }
    }

    /** {@code link}'s socket is full: in aggregate, the others may take what it cannot. */
    void blocked(Link link) {
        if (mode == PathControl.Mode.AGGREGATE && members.size() > 1) {
            for (LinkShare share : members) {
                if (share.link != link) {
                    share.link.requestFlush();
                }
            }
        }
    }

    /** For status: a line of figures per link. */
    List<PathFigures> figures() {
        List<PathFigures> figures = new ArrayList<>(members.size());
        for (LinkShare share : members) {
            figures.add(new PathFigures(share.link.name(), share == primary ? "primary" : "secondary",
                    roleOf(share).name().toLowerCase(java.util.Locale.ROOT), share.metered, share.link.smoothedRttNanos(),
                    share.bytesPerSecond(), share.link.sessionBytesWritten(), share.link.pingsSent(), share.link.pongsReceived(),
                    share.skippedBytes()));
        }
        return figures;
    }

    private LinkShare find(Link link) {
        for (LinkShare share : members) {
            if (share.link == link) {
                return share;
            }
        }
        return null;
    }

    /**
     * Before the links' roles change: each finishes the frame it is in and asks its share again after it; a
     * range the scheduler hands out next starts after what a link wrote in order. True when a link was taking
     * scheduler ranges (then {@link #afterRolesChange} gives out again what such a link may not send now).
     */
    private boolean beforeRolesChange() {
        boolean claimed = false;
        for (LinkShare share : members) {
            long end = share.link.shareChanged();
            Role role = roleOf(share);
            if (role == Role.ALL) {
                scheduler.sentUpTo(end);
            }
            claimed |= role == Role.CLAIM;
        }
        return claimed;
    }

    private void afterRolesChange(boolean claimed) {
        if (claimed) {
            rewindSharing(); // ranges given to a link whose role changed would go unsent
        }
        for (LinkShare share : members) {
            share.link.pingSteadily(members.size() > 1 ? STEADY_PING : Duration.ZERO);
            if (roleOf(share) == Role.CLAIM) {
                bufferSocket(share.link);
            }
        }
        requestFlush();
    }

    /** An aggregate link's socket buffer is kept small (see {@link #AGGREGATE_SEND_BUFFER}); best effort. */
    private static void bufferSocket(Link link) {
        try {
            link.transport().channel().setOption(StandardSocketOptions.SO_SNDBUF, AGGREGATE_SEND_BUFFER);
        } catch (IOException | RuntimeException ignored) {
            // the kernel's own sizing stays: the scheduler still works, with more held out of order
        }
    }
}
