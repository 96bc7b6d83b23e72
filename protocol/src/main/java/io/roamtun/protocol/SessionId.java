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

    /** A fleet node's session ids begin with its tag (the rest, 96 bits, random): an id names its node. */
    public static final int NODE_TAG_BYTES = 4;

    public static SessionId random() {
        byte[] bytes = new byte[Wire.SESSION_ID_BYTES];
        RANDOM.nextBytes(bytes);
        return new SessionId(bytes);
    }

    /** A random id beginning with {@code tag} ({@link #NODE_TAG_BYTES} bytes). */
    public static SessionId tagged(byte[] tag) {
        byte[] bytes = new byte[Wire.SESSION_ID_BYTES];
        RANDOM.nextBytes(bytes);
        System.arraycopy(tag, 0, bytes, 0, NODE_TAG_BYTES);
        return new SessionId(bytes);
    }

    /** Whether this id begins with {@code tag}: made by the node with that tag. */
    public boolean taggedWith(byte[] tag) {
        return java.util.Arrays.equals(bytes, 0, NODE_TAG_BYTES, tag, 0, NODE_TAG_BYTES);
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
