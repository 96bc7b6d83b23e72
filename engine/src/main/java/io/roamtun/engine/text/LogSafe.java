package io.roamtun.engine.text;

/**
 * Text a peer chose (a GOAWAY or OPEN_FAIL message, a credential's name), made safe for one log line:
 * control characters are escaped ({@code \n}, {@code \r}, {@code \t}, {@code \xNN} and {@code \}{@code uNNNN}
 * for the rest), so a peer cannot forge log lines, and it is cut at {@link #MAX_CHARS}.
 */
public final class LogSafe {
    /** GOAWAY and OPEN_FAIL messages are at most 1,024 bytes; a log line needs no more than this of one. */
    public static final int MAX_CHARS = 300;

    private LogSafe() {}

    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        int end = Math.min(text.length(), MAX_CHARS);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(end + 16).append(text, 0, i);
            }
            if (out != null) {
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (control) {
                            out.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
        }
        String safe = out != null ? out.toString() : text.substring(0, end);
        return end < text.length() ? safe + "... (" + text.length() + " chars)" : safe;
    }
}
