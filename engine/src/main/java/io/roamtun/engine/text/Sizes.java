package io.roamtun.engine.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as users write them: {@code 65536}, {@code 512KiB}, {@code 8MiB}, {@code 1GiB} (also KB/MB/GB, k/m/g, as powers of 1024). */
public final class Sizes {
    private static final Pattern FORM = Pattern.compile("(?i)(\\d{1,12})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    private Sizes() {}

    public static long parse(String option, String text) throws UsageException {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new UsageException(option + ": '" + text + "' is not a size; write e.g. 65536, 512KiB, 8MiB");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase();
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new UsageException(option + ": '" + text + "' is too large");
        }
        return n << shift;
    }

    /** {@code bytes} the way users write sizes: 256MiB, 512KiB, 1000 (whole units only, else bytes). */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return String.valueOf(bytes);
    }
}
