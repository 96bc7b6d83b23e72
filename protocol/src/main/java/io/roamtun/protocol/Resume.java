package io.roamtun.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Asks the server to carry on an existing session on this new link.
 *
 * @param sessionId       the session to resume
 * @param receivedOffset  sequence offset up to which the client has received the server's frames
 * @param proof           proof of possession of the session secret (empty until authentication exists)
 */
public record Resume(SessionId sessionId, long receivedOffset, byte[] proof) {
    @Override
    public boolean equals(Object other) {
        return other instanceof Resume r && r.sessionId.equals(sessionId) && r.receivedOffset == receivedOffset
                && Arrays.equals(r.proof, proof);
    }

    @Override
    public int hashCode() {
        return sessionId.hashCode() * 31 + Long.hashCode(receivedOffset);
    }

    @Override
    public String toString() {
        return "Resume[" + sessionId.shortHex() + " received=" + receivedOffset + " proof=" + HexFormat.of().formatHex(proof) + "]";
    }
}
