package io.roamtun.engine.resend;

/**
 * The frames of a replay buffer that writers are halfway through: one pin per writer (a link), at the start
 * of its frame. Nothing from the lowest pin on may be freed, whatever the peer acknowledged through another
 * link, until the frame's rest is out. At most {@link #MAX_PINS} writers (MULTIPATH: the links of a session).
 */
final class ReplayPins {
    /** The most links that write one session's frames at once, each of which may pin a frame. */
    static final int MAX_PINS = 4;
    /** The writers pinning, each at its frame's start in {@link #pinnedAt}; null slots are free. */
    private final Object[] pinnedBy = new Object[MAX_PINS];
    private final long[] pinnedAt = new long[MAX_PINS];

    /** {@code owner} is halfway through the frame at {@code frameStart} (a later call moves its pin). */
    void pin(Object owner, long frameStart) {
        int free = -1;
        for (int i = 0; i < MAX_PINS; i++) {
            if (pinnedBy[i] == owner) {
                pinnedAt[i] = frameStart;
                return;
            }
            if (pinnedBy[i] == null && free < 0) {
                free = i;
            }
        }
        if (free < 0) {
            throw new IllegalStateException("more than " + MAX_PINS + " writers pin the replay buffer");
        }
        pinnedBy[free] = owner;
        pinnedAt[free] = frameStart;
    }

    /** {@code owner}'s pin goes; true when it had one. */
    boolean unpin(Object owner) {
        for (int i = 0; i < MAX_PINS; i++) {
            if (pinnedBy[i] == owner) {
                pinnedBy[i] = null;
                return true;
            }
        }
        return false;
    }

    /** {@code offset}, or the lowest pin below it: how far the buffer may be freed. */
    long limit(long offset) {
        long to = offset;
        for (int i = 0; i < MAX_PINS; i++) {
            if (pinnedBy[i] != null) {
                to = Math.min(to, pinnedAt[i]);
            }
        }
        return to;
    }
}
