package io.roamtun.engine.link;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Whether a link is alive: any byte received counts. Checked six times per dead-after period: a PING goes
 * out once nothing was received for the ping interval, the owner hears once the link was quiet for half
 * of dead-after (a chance to probe another path), and the link is dead at dead-after.
 */
final class LinkLiveness {
    /**
     * Checks land on multiples of a sixth of dead-after, and the ping interval is a third: a check may run a
     * hair before the interval is over (timer jitter). Without this slack such a PING would slip a whole check.
     */
    private static final long TIMER_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** What liveness asks of its link. */
    interface Events {
        /** True when a PING was queued. */
        boolean sendPing(long now);

        void quiet(long quietMillis);

        void dead(long quietMillis);
    }

    private final EventLoop loop;
    private final LinkSettings settings;
    private final Events events;
    private long lastReceivedNanos = System.nanoTime();
    private long lastPingNanos;
    private long lastRttNanos = -1;
    /** Smoothed round trip (RFC 6298's 7/8 + 1/8), or -1 before the first PONG. */
    private long smoothedRttNanos = -1;
    private long pingsSent;
    private long pongsReceived;
    /** PINGs every this often whatever arrives (a link among several, whose round trip steers the sending), or 0. */
    private long steadyPingNanos;
    private boolean quietReported;
    private Timer timer;
    private boolean stopped;

    LinkLiveness(EventLoop loop, LinkSettings settings, Events events) {
        this.loop = loop;
        this.settings = settings;
        this.events = events;
    }

    void start() {
        long next = settings.deadAfter().toNanos() / 6;
        if (!quietReported) { // the quiet moment itself, not the check after it: a standby link waits on it
            next = Math.min(next, Math.max(TIMER_SLACK_NANOS, lastReceivedNanos + settings.deadAfter().toNanos() / 2 - System.nanoTime()));
        }
        if (steadyPingNanos > 0) {
            next = Math.min(next, Math.max(TIMER_SLACK_NANOS, lastPingNanos + steadyPingNanos - System.nanoTime()));
        }
        timer = loop.schedule(next, this::check);
    }

    /** PINGs every {@code nanos} from now on, whatever arrives (0: only when the link is quiet). */
    void pingSteadily(long nanos) {
        steadyPingNanos = nanos;
    }

    long smoothedRttNanos() {
        return smoothedRttNanos;
    }

    /** PINGs sent and PONGs received for them, for the loss of a path. */
    long pingsSent() { return pingsSent; }

    long pongsReceived() { return pongsReceived; }

    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Bytes arrived. */
    void received() {
        lastReceivedNanos = System.nanoTime();
        quietReported = false;
    }

    /** A PONG came back for the PING sent at {@code opaque} (this side's clock). */
    void pong(long opaque) {
        long rtt = System.nanoTime() - opaque;
        if (rtt >= 0 && rtt < TimeUnit.MINUTES.toNanos(10)) {
            lastRttNanos = rtt;
            smoothedRttNanos = smoothedRttNanos < 0 ? rtt : (7 * smoothedRttNanos + rtt) / 8;
            if (pongsReceived < pingsSent) {
                pongsReceived++;
            }
        }
    }

    /** Round trip of the last PING, in nanoseconds, or -1 before the first PONG. */
    long lastRttNanos() {
        return lastRttNanos;
    }

    private void check() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        long quiet = now - lastReceivedNanos;
        if (quiet >= settings.deadAfter().toNanos()) {
            stopped = true;
            events.dead(TimeUnit.NANOSECONDS.toMillis(quiet));
            return;
        }
        // (a timer may fire a millisecond or two before its time: that is the quiet moment all the same)
        if (!quietReported && quiet >= settings.deadAfter().toNanos() / 2 - TIMER_SLACK_NANOS / 2) {
            quietReported = true;
            events.quiet(TimeUnit.NANOSECONDS.toMillis(quiet));
        }
        long interval = settings.pingInterval().toNanos() - TIMER_SLACK_NANOS;
        boolean steadyDue = steadyPingNanos > 0 && now - lastPingNanos >= steadyPingNanos - TIMER_SLACK_NANOS;
        if ((steadyDue || quiet >= interval && now - lastPingNanos >= interval) && events.sendPing(now)) {
            lastPingNanos = now;
            pingsSent++;
        }
        start();
    }
}
