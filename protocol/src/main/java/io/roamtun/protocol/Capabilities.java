package io.roamtun.protocol;

/**
 * Capability bits, the way a session gains frames and codes beyond version 1 without a new version. Each
 * side sends in HELLO / WELCOME every bit it supports; the session uses the bits both sent (the server's
 * WELCOME carries that intersection already, and the client intersects again, so a server that claims a
 * bit the client never offered gains nothing). Bits a side does not know are ignored, never refused. A
 * frame type, GOAWAY code or field that a capability brings is sent only when the session negotiated it.
 */
public final class Capabilities {
    private Capabilities() {}

    /**
     * RESUME proofs are bound to the TLS connection they travel on (an exporter value of it), so a RESUME
     * is worth nothing on any other connection. Offered by a side whose TLS implementation can export
     * keying material (RFC 8446 section 7.5; Conscrypt can, the JDK 17 provider cannot).
     */
    public static final int RESUME_CHANNEL_BINDING = 1;

    /**
     * Reverse streams: HELLO may carry ports the client asks the server to listen on for it, WELCOME answers
     * each (listening, on which address, or why not), and the server opens a stream named
     * {@link ServiceNames#exposed} for each connection it accepts on one.
     */
    public static final int REVERSE_STREAMS = 2;

    /**
     * Datagrams (UDP): DATAGRAM frames carry one datagram of a flow, named by its service in every frame
     * ({@link DatagramPayload}), unsequenced, dropped rather than resent.
     */
    public static final int DATAGRAMS = 4;

    /**
     * Fleets: WELCOME may carry a {@link FleetTicket} naming the node that holds the session, the client
     * carries it back in RESUME, and a node that gets a RESUME of another node's session answers GOAWAY
     * {@link ErrorCode#REDIRECT} with that node's address.
     */
    public static final int FLEET = 8;

    /**
     * Multipath: a session may have more than one link at once. A RESUME with the JOIN flag adds a link
     * beside the one carrying the session, PATH (client to server) says each link's role and the session's
     * mode, and a receiver holds frames that arrive ahead of their place, within {@link Wire#REORDER_WINDOW}.
     */
    public static final int MULTIPATH = 16;

    /** Every bit this build knows. */
    public static final int SUPPORTED = RESUME_CHANNEL_BINDING | REVERSE_STREAMS | DATAGRAMS | FLEET | MULTIPATH;

    /** The bits this side offers: all it supports, less channel binding when its transport cannot export. */
    public static int offered(boolean canBindChannel) {
        return canBindChannel ? SUPPORTED : SUPPORTED & ~RESUME_CHANNEL_BINDING;
    }

    /** What a session uses when the peer offered {@code peerBits} and this side {@code ownBits}: the bits both offered. */
    public static int negotiate(int peerBits, int ownBits) {
        return peerBits & ownBits & SUPPORTED;
    }

    /** Whether the negotiated {@code bits} include {@code capability}. */
    public static boolean has(int bits, int capability) {
        return (bits & capability) == capability && capability != 0;
    }
}
