package io.roamtun.engine.session;

/**
 * What status shows of one link of a session (MULTIPATH: one line per link).
 *
 * @param link            the link's name (interface, addresses)
 * @param place           "primary" (it carries the session) or "secondary"
 * @param role            what it writes of the session's frames: all, none (standby), copy (redundant), claim (aggregate)
 * @param metered         its interface is metered
 * @param rttNanos        smoothed round trip of its PINGs, -1 before the first
 * @param bytesPerSecond  the session's frames it wrote in the last whole second
 * @param bytesWritten    the session's frames it wrote in all
 * @param pingsSent       PINGs it sent
 * @param pongsReceived   PONGs that came back
 * @param copiesSkipped   redundant: bytes it did not copy, over the rate
 */
public record PathFigures(String link, String place, String role, boolean metered, long rttNanos, long bytesPerSecond,
                          long bytesWritten, long pingsSent, long pongsReceived, long copiesSkipped) {
    /** PINGs without their PONG, in percent, the one in flight not counted (0 before any). */
    public double lossPercent() {
        return pingsSent == 0 ? 0 : Math.max(0, 100.0 * (pingsSent - pongsReceived - 1) / pingsSent);
    }
}
