package io.roamtun.server;

import io.roamtun.engine.text.UsageException;
import java.util.ArrayList;
import java.util.List;

/** A set of TCP ports written as ports and ranges, {@code 8080,20000-20100}: which ports clients may expose. */
public final class PortRanges {
    private static final PortRanges NONE = new PortRanges(new int[0], "");

    /** Sorted, non-overlapping [from, to] pairs. */
    private final int[] bounds;
    private final String text;

    private PortRanges(int[] bounds, String text) {
        this.bounds = bounds;
        this.text = text;
    }

    public static PortRanges none() {
        return NONE;
    }

    /** Parses {@code spec}; {@code what} names it in the error ("--allow-expose"). Blank: no port. */
    public static PortRanges parse(String what, String spec) throws UsageException {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        List<int[]> ranges = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            int from = port(what, dash < 0 ? p : p.substring(0, dash));
            int to = dash < 0 ? from : port(what, p.substring(dash + 1));
            if (to < from) {
                throw new UsageException(what + ": range " + p + " runs backwards");
            }
            ranges.add(new int[] {from, to});
        }
        ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] r : ranges) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(r);
            }
        }
        int[] bounds = new int[merged.size() * 2];
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < merged.size(); i++) {
            bounds[2 * i] = merged.get(i)[0];
            bounds[2 * i + 1] = merged.get(i)[1];
            text.append(i == 0 ? "" : ",").append(bounds[2 * i]);
            if (bounds[2 * i + 1] != bounds[2 * i]) {
                text.append('-').append(bounds[2 * i + 1]);
            }
        }
        return new PortRanges(bounds, text.toString());
    }

    private static int port(String what, String s) throws UsageException {
        try {
            int port = Integer.parseInt(s.trim());
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // said below
        }
        throw new UsageException(what + ": '" + s.trim() + "' is not a port (1-65535); write ports and ranges as 8080,20000-20100");
    }

    public boolean contains(int port) {
        for (int i = 0; i < bounds.length; i += 2) {
            if (port >= bounds[i] && port <= bounds[i + 1]) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return bounds.length == 0;
    }

    /** The canonical text: sorted, merged ranges; "" for none. */
    @Override
    public String toString() {
        return text;
    }
}
