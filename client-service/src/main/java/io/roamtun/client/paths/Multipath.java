package io.roamtun.client.paths;

import io.roamtun.engine.text.Sizes;
import io.roamtun.engine.text.UsageException;
import io.roamtun.protocol.PathControl;
import java.util.Locale;

/**
 * How a session uses a second interface ({@code --multipath}): {@code off} (one link at a time),
 * {@code standby} (a second link kept open and authenticated, moved to at once), {@code redundant} (frames
 * copied over both, up to {@code --redundant-max} bytes a second), {@code aggregate} (frames spread over both).
 *
 * @param mode          null for off
 * @param redundantMax  bytes a second a secondary link may carry as copies (redundant)
 */
public record Multipath(PathControl.Mode mode, long redundantMax) {
    public static final long DEFAULT_REDUNDANT_MAX = 256 * 1024;
    public static final Multipath DEFAULT = new Multipath(PathControl.Mode.STANDBY, DEFAULT_REDUNDANT_MAX);
    public static final Multipath OFF = new Multipath(null, DEFAULT_REDUNDANT_MAX);

    public Multipath {
        if (redundantMax < 0 || redundantMax > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("redundantMax " + redundantMax);
        }
    }

    /** From {@code --multipath MODE} and {@code --redundant-max RATE} (either null: its default). */
    public static Multipath parse(String mode, String redundantMax) throws UsageException {
        PathControl.Mode chosen = DEFAULT.mode();
        if (mode != null) {
            chosen = switch (mode.trim().toLowerCase(Locale.ROOT)) {
                case "off" -> null;
                case "standby" -> PathControl.Mode.STANDBY;
                case "redundant" -> PathControl.Mode.REDUNDANT;
                case "aggregate" -> PathControl.Mode.AGGREGATE;
                default -> throw new UsageException("--multipath " + mode + ": expected off, standby, redundant or aggregate");
            };
        }
        long rate = DEFAULT_REDUNDANT_MAX;
        if (redundantMax != null) {
            String text = redundantMax.trim();
            text = text.endsWith("/s") ? text.substring(0, text.length() - 2) : text;
            rate = Sizes.parse("--redundant-max", text);
            if (rate < 1 || rate > 0xFFFF_FFFFL) {
                throw new UsageException("--redundant-max " + redundantMax + ": must be 1 byte/s .. 4GiB/s");
            }
        }
        return new Multipath(chosen, rate);
    }

    @Override
    public String toString() {
        return mode == null ? "off" : mode.name().toLowerCase(Locale.ROOT)
                + (mode == PathControl.Mode.REDUNDANT ? " up to " + Sizes.format(redundantMax) + "/s" : "");
    }
}
