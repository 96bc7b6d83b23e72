package io.roamtun.client.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The head of one HTTP/1.1 message (request or status line, then header fields), collected incrementally
 * from the bytes of a connection up to {@link #MAX_BYTES}: {@link #feed} takes what it needs and says how
 * far it read. A head that is too long or not HTTP/1.x is {@link State#MALFORMED}: the caller stops
 * interpreting the connection and passes its bytes through untouched.
 */
public final class HttpHead {
    /** Larger heads are not interpreted (nginx's default limit for a request head is 8 KiB, 4 × 8 KiB for large ones). */
    public static final int MAX_BYTES = 16 * 1024;

    public enum State { READING, COMPLETE, MALFORMED }

    private byte[] bytes = new byte[256]; // grows up to MAX_BYTES
    private int length;
    private State state = State.READING;
    private String firstLine;
    private final Map<String, String> fields = new LinkedHashMap<>();

    /**
     * Takes bytes of the head from {@code in} (from its position) up to the end of the head, or all of them;
     * returns the number taken. The rest of {@code in} (a body, the next message) is not touched.
     */
    public int feed(ByteBuffer in) {
        int taken = 0;
        while (state == State.READING && in.hasRemaining()) {
            if (length == MAX_BYTES) {
                state = State.MALFORMED;
                break;
            }
            if (length == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.min(MAX_BYTES, bytes.length * 4));
            }
            bytes[length++] = in.get();
            taken++;
            if (length >= 4 && bytes[length - 1] == '\n' && bytes[length - 2] == '\r' && bytes[length - 3] == '\n'
                    && bytes[length - 4] == '\r') {
                parse();
            }
        }
        return taken;
    }

    private void parse() {
        String text = new String(bytes, 0, length - 4, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n", -1);
        firstLine = lines[0];
        boolean ok = firstLine.startsWith("HTTP/1.") || firstLine.matches("[A-Z]+ \\S+ HTTP/1\\.[01]");
        for (int i = 1; i < lines.length && ok; i++) {
            int colon = lines[i].indexOf(':');
            // No obsolete line folding, and no control characters (a bare CR or LF would end a line elsewhere)
            if (colon <= 0 || lines[i].charAt(0) == ' ' || lines[i].charAt(0) == '\t' || lines[i].chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                ok = false;
            } else {
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                fields.merge(name, value, (a, b) -> a + ", " + b);
            }
        }
        state = ok ? State.COMPLETE : State.MALFORMED;
    }

    public State state() {
        return state;
    }

    /** The request line or status line. */
    public String firstLine() {
        return firstLine;
    }

    /** A field's value (names compared without case; repeated fields joined with ", "), or null. */
    public String field(String name) {
        return fields.get(name.toLowerCase(Locale.ROOT));
    }

    /** Bytes of the head read so far. */
    public int length() {
        return length;
    }

    /** The head as it arrived, with its closing empty line. */
    public byte[] raw() {
        return java.util.Arrays.copyOf(bytes, length);
    }

    /** A response's status code, or -1 for a request or a malformed status line. */
    public int status() {
        String[] parts = firstLine == null ? new String[0] : firstLine.split(" ", 3);
        return parts.length >= 2 && parts[0].startsWith("HTTP/") && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
    }

    /** A request's method, or null for a response. */
    public String method() {
        return firstLine == null || firstLine.startsWith("HTTP/") ? null : firstLine.substring(0, firstLine.indexOf(' '));
    }

    /** Content-Length as a number; -1 when absent or not a plain decimal. */
    public long contentLength() {
        String value = field("content-length");
        return value != null && value.matches("\\d{1,18}") ? Long.parseLong(value) : -1;
    }
}
