package io.roamtun.engine.link;

/**
 * Which of the session's sequenced frames one link writes. A link alone writes them all, in order
 * ({@link #ALL}); with several links (MULTIPATH) the session's policy decides per link: nothing (a standby),
 * a copy of each within a byte rate (redundant), or the ranges a scheduler gives it (aggregate). Asked only at
 * frame boundaries, so a link's byte stream always holds whole frames.
 */
public interface ReplayShare {
    /** At a frame boundary {@code cursor}: where this link writes from now on (the cursor, a later frame start, or an earlier one to resend). */
    long from(long cursor);

    /** How far from {@code from} (a frame start) this link may write now: a frame boundary up to the head; {@code from} itself for nothing now. */
    long until(long from);

    /** {@code bytes} of the session's frames went out on this link. */
    default void wrote(long bytes) {}

    /** Every frame, in order: a session's only link. */
    static ReplayShare all(io.roamtun.engine.resend.ReplayBuffer replay) {
        return new ReplayShare() {
            @Override
            public long from(long cursor) {
                return cursor;
            }

            @Override
            public long until(long from) {
                return replay.head();
            }
        };
    }
}
