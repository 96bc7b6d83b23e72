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
    private boolean quietReported;
    private Timer timer;
    private boolean stopped;

    LinkLiveness(EventLoop loop, LinkSettings settings, Events events) {
        this.loop = loop;
        this.settings = settings;
        this.events = events;
    }

    void start() {
        timer = loop.schedule(settings.deadAfter().toNanos() / 6, this::check);
    }

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
        if (!quietReported && quiet >= settings.deadAfter().toNanos() / 2) {
            quietReported = true;
            events.quiet(TimeUnit.NANOSECONDS.toMillis(quiet));
        }
        long interval = settings.pingInterval().toNanos() - TIMER_SLACK_NANOS;
        if (quiet >= interval && now - lastPingNanos >= interval && events.sendPing(now)) {
            lastPingNanos = now;
        }
        start();
    }
}
