package io.roamtun.protocol;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/** The 128-bit name of a session, chosen by the server; it outlives every single link. */
public final class SessionId {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] bytes;

    private SessionId(byte[] bytes) {
        this.bytes = bytes;
    }

    public static SessionId random() {
        byte[] bytes = new byte[Wire.SESSION_ID_BYTES];
        RANDOM.nextBytes(bytes);
        return new SessionId(bytes);
    }

    public static SessionId of(byte[] bytes) {
        if (bytes.length != Wire.SESSION_ID_BYTES) {
            throw new IllegalArgumentException("session id must be " + Wire.SESSION_ID_BYTES + " bytes, not " + bytes.length);
        }
        return new SessionId(bytes.clone());
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The first 8 hex digits: enough to tell sessions apart in a log line. */
    public String shortHex() {
        return HexFormat.of().formatHex(bytes, 0, 4);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SessionId && Arrays.equals(bytes, ((SessionId) other).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
