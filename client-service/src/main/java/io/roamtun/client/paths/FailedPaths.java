package io.roamtun.client.paths;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Interfaces that failed the session, each set aside for a while: an attempt through it failed, or the
 * link through it went quiet or died. The next attempt goes to another usable interface instead of the
 * same silent one (a Wi-Fi behind a captive portal stays up with its address, so the table alone would
 * pick it forever), and the uplink does not move back to a lossy preferred interface at every lull.
 *
 * <p>The time set aside doubles with each failure, 30 s up to 5 minutes. Carrying the session again lifts
 * it but keeps the count, so an interface that keeps failing soon after it is back is tried less and less
 * often; a failure ten minutes after the last starts the count over. A change of the interface in the
 * table (down, up, new address), or a switch to it by name, clears it. Not thread-safe: the uplink's loop
 * owns it.
 */
public final class FailedPaths {
    static final long FIRST_PENALTY_NANOS = TimeUnit.SECONDS.toNanos(30);
    static final long MAX_PENALTY_NANOS = TimeUnit.MINUTES.toNanos(5);
    static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(10);

    private record Penalty(int failures, long until, long lastFailure) { }

    private final Map<String, Penalty> penalties = new HashMap<>();

    /** Something through {@code name} failed at {@code now} (nanoTime). */
    public void failed(String name, long now) {
        Penalty before = penalties.get(name);
        int failures = before == null || now - before.lastFailure() > FORGET_AFTER_NANOS ? 1 : before.failures() + 1;
        long penalty = Math.min(MAX_PENALTY_NANOS, FIRST_PENALTY_NANOS << Math.min(failures - 1, 10));
        penalties.put(name, new Penalty(failures, now + penalty, now));
    }

    /** {@code name} carries the session again: no longer set aside, but its failures still count. */
    public void carried(String name, long now) {
        Penalty p = penalties.get(name);
        if (p != null && now - p.until() < 0) {
            penalties.put(name, new Penalty(p.failures(), now, p.lastFailure()));
        }
    }

    /** The interface changed in the table, or the user asked for it by name: forget what failed through it. */
    public void clear(String name) {
        penalties.remove(name);
    }

    public boolean setAside(String name, long now) {
        Penalty p = penalties.get(name);
        return p != null && now - p.until() < 0;
    }

    /** Milliseconds {@code name} stays set aside from {@code now}, 0 when it is not. */
    public long setAsideMillis(String name, long now) {
        Penalty p = penalties.get(name);
        return p == null || now - p.until() >= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(p.until() - now);
    }

    /** The snapshots of interfaces not set aside now. */
    public List<InterfaceSnapshot> notSetAside(Collection<InterfaceSnapshot> table, long now) {
        List<InterfaceSnapshot> fresh = new ArrayList<>(table.size());
        for (InterfaceSnapshot nif : table) {
            if (!setAside(nif.name(), now)) {
                fresh.add(nif);
            }
        }
        return fresh;
    }
}
