package io.roamtun.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The server's answer to HELLO: the chosen version and the server's own stream settings.
 *
 * @param version        session protocol version both now speak
 * @param capabilities   capability bits the server accepted
 * @param initialWindow  bytes the server can buffer per stream before it grants more
 * @param maxPayload     largest payload the server accepts
 * @param sessionId      the new session's id
 * @param sessionSecret  32 random bytes that prove, in a later RESUME, that the resumer is this client
 * @param resumeNonce    16 random bytes the next RESUME's proof covers
 * @param exposes        the answer to each port the HELLO asked the server to listen on (reverse streams)
 * @param udpExposes     the same for its UDP ports
 * @param fleet          FLEET: the node of a fleet that holds the session, for the client's RESUMEs; null outside a fleet
 */
public record Welcome(int version, int capabilities, int initialWindow, int maxPayload, SessionId sessionId,
                      byte[] sessionSecret, byte[] resumeNonce, java.util.List<ExposeResult> exposes,
                      java.util.List<ExposeResult> udpExposes, FleetTicket fleet) {
    public Welcome {
        if (sessionSecret.length != Wire.SESSION_SECRET_BYTES || resumeNonce.length != Wire.NONCE_BYTES) {
            throw new IllegalArgumentException("secret must be " + Wire.SESSION_SECRET_BYTES + " bytes, nonce " + Wire.NONCE_BYTES);
        }
        exposes = exposes == null ? java.util.List.of() : java.util.List.copyOf(exposes);
        udpExposes = udpExposes == null ? java.util.List.of() : java.util.List.copyOf(udpExposes);
        if (exposes.size() + udpExposes.size() > Wire.MAX_EXPOSES) {
            throw new IllegalArgumentException("at most " + Wire.MAX_EXPOSES + " expose results");
        }
    }

    public Welcome(int version, int capabilities, int initialWindow, int maxPayload, SessionId sessionId,
                   byte[] sessionSecret, byte[] resumeNonce) {
        this(version, capabilities, initialWindow, maxPayload, sessionId, sessionSecret, resumeNonce, java.util.List.of(),
                java.util.List.of(), null);
    }

    public Welcome(int version, int capabilities, int initialWindow, int maxPayload, SessionId sessionId,
                   byte[] sessionSecret, byte[] resumeNonce, java.util.List<ExposeResult> exposes) {
        this(version, capabilities, initialWindow, maxPayload, sessionId, sessionSecret, resumeNonce, exposes, java.util.List.of(), null);
    }

    public Welcome(int version, int capabilities, int initialWindow, int maxPayload, SessionId sessionId, byte[] sessionSecret,
                   byte[] resumeNonce, java.util.List<ExposeResult> exposes, java.util.List<ExposeResult> udpExposes) {
        this(version, capabilities, initialWindow, maxPayload, sessionId, sessionSecret, resumeNonce, exposes, udpExposes, null);
    }

    /** This WELCOME answering the HELLO's exposes with {@code tcp} and its UDP exposes with {@code udp}. */
    public Welcome withExposes(java.util.List<ExposeResult> tcp, java.util.List<ExposeResult> udp) {
        return new Welcome(version, capabilities, initialWindow, maxPayload, sessionId, sessionSecret, resumeNonce, tcp, udp, fleet);
    }

    /** This WELCOME with {@code ticket} naming the node that holds the session (FLEET). */
    public Welcome withFleet(FleetTicket ticket) {
        return new Welcome(version, capabilities, initialWindow, maxPayload, sessionId, sessionSecret, resumeNonce, exposes, udpExposes, ticket);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Welcome w && w.version == version && w.capabilities == capabilities && w.initialWindow == initialWindow
                && w.maxPayload == maxPayload && w.sessionId.equals(sessionId) && Arrays.equals(w.sessionSecret, sessionSecret)
                && Arrays.equals(w.resumeNonce, resumeNonce) && w.exposes.equals(exposes) && w.udpExposes.equals(udpExposes)
                && java.util.Objects.equals(w.fleet, fleet);
    }

    @Override
    public int hashCode() {
        return sessionId.hashCode();
    }

    /** The secret is never printed. */
    @Override
    public String toString() {
        return "Welcome[v" + version + " caps=" + capabilities + " window=" + initialWindow + " maxPayload=" + maxPayload
                + " session=" + sessionId + " nonce=" + HexFormat.of().formatHex(resumeNonce)
                + (exposes.isEmpty() ? "" : " exposes=" + exposes) + (udpExposes.isEmpty() ? "" : " udpExposes=" + udpExposes)
                + (fleet == null ? "" : " " + fleet) + "]";
    }
}
