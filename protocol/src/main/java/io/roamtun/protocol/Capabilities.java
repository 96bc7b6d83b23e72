package io.roamtun.protocol;

/**
 * Capability bits, the way a session gains frames and codes beyond version 1 without a new version. Each
 * side sends in HELLO / WELCOME every bit it supports; the session uses the bits both sent (the server's
 * WELCOME carries that intersection already, and the client intersects again, so a server that claims a
 * bit the client never offered gains nothing). Bits a side does not know are ignored, never refused. A
 * frame type, GOAWAY code or field that a capability brings is sent only when the session negotiated it.
 * Version 1 defines no bit yet.
 */
public final class Capabilities {
    private Capabilities() {}

    /** The bits this build supports and offers. */
    public static final int SUPPORTED = 0;

    /** What a session uses when the peer offered {@code peerBits}: the bits both support. */
    public static int negotiate(int peerBits) {
        return peerBits & SUPPORTED;
    }

    /** Whether the negotiated {@code bits} include {@code capability}. */
    public static boolean has(int bits, int capability) {
        return (bits & capability) == capability && capability != 0;
    }
}
