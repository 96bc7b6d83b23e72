package io.roamtun.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Asks the server to carry on an existing session on this new link.
 *
 * @param sessionId       the session to resume
 * @param receivedOffset  sequence offset up to which the client has received the server's frames
 * @param sentOffset      the client's own head: how far its sequence goes (for the peer's log of what is resent)
 * @param proof           proof of possession of the session secret (empty until authentication exists)
 */
public record Resume(SessionId sessionId, long receivedOffset, long sentOffset, byte[] proof) {
    @Override
    public boolean equals(Object other) {
        return other instanceof Resume r && r.sessionId.equals(sessionId) && r.receivedOffset == receivedOffset && r.sentOffset == sentOffset
                && Arrays.equals(r.proof, proof);
    }

    @Override
    public int hashCode() {
        return sessionId.hashCode() * 31 + Long.hashCode(receivedOffset);
    }

    @Override
    public String toString() {
        return "Resume[" + sessionId.shortHex() + " received=" + receivedOffset + " sent=" + sentOffset + " proof=" + HexFormat.of().formatHex(proof) + "]";
    }
}
