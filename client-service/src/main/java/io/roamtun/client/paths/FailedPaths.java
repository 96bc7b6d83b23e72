package io.roamtun.client.paths;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Interfaces whose last attempt to reach the server failed, each set aside for a while: the next attempt
 * goes to another usable interface instead of the same silent one (a Wi-Fi behind a captive portal stays
 * up with its address, so the table alone would pick it forever). The time set aside doubles with each
 * failure in a row, 5 s up to 60 s; a success through the interface, or a change of it in the table (down,
 * up, new address), clears it. Not thread-safe: the uplink's loop owns it.
 */
public final class FailedPaths {
    static final long FIRST_PENALTY_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long MAX_PENALTY_NANOS = TimeUnit.SECONDS.toNanos(60);

    private record Penalty(int failures, long until) { }

    private final Map<String, Penalty> penalties = new HashMap<>();

    /** An attempt through {@code name} failed at {@code now} (nanoTime). */
    public void failed(String name, long now) {
        Penalty before = penalties.get(name);
        int failures = before == null ? 1 : before.failures() + 1;
        long penalty = Math.min(MAX_PENALTY_NANOS, FIRST_PENALTY_NANOS << Math.min(failures - 1, 10));
        penalties.put(name, new Penalty(failures, now + penalty));
    }

    /** The interface carried a link, or changed in the table, or the user asked for it: try it freely again. */
    public void clear(String name) {
        penalties.remove(name);
    }

    public boolean setAside(String name, long now) {
        Penalty p = penalties.get(name);
        return p != null && now - p.until() < 0;
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
