package io.roamtun.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Asks the server to carry on an existing session on this new link.
 *
 * @param sessionId       the session to resume
 * @param receivedOffset  sequence offset up to which the client has received the server's frames
 * @param sentOffset      the client's own head: how far its sequence goes (for the peer's log of what is resent)
 * @param attempt         the client's count of RESUMEs for this session, 1 for the first: the server takes
 *                        each number once, so a RESUME replayed (or delivered late) is refused
 * @param proof           proof of possession of the session secret, over the attempt and the TLS channel
 * @param credential      the client's "NAME:SECRET" when the server authenticates clients, else empty (inside TLS)
 * @param fleet           FLEET: the ticket of the session's WELCOME, naming the node that holds it; null without one
 * @param join            MULTIPATH: the header's JOIN flag, this link joins the session beside the one carrying it
 */
public record Resume(SessionId sessionId, long receivedOffset, long sentOffset, long attempt, byte[] proof, String credential,
                     FleetTicket fleet, boolean join) {
    public Resume {
        credential = credential == null ? "" : credential;
        if (attempt < 0 || attempt > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("attempt " + attempt + " is not a u32");
        }
    }

    /** A RESUME that takes the session over (no JOIN). */
    public Resume(SessionId sessionId, long receivedOffset, long sentOffset, long attempt, byte[] proof, String credential,
                  FleetTicket fleet) {
        this(sessionId, receivedOffset, sentOffset, attempt, proof, credential, fleet, false);
    }

    /** A RESUME outside a fleet. */
    public Resume(SessionId sessionId, long receivedOffset, long sentOffset, long attempt, byte[] proof, String credential) {
        this(sessionId, receivedOffset, sentOffset, attempt, proof, credential, null);
    }

    /** A RESUME without a credential (servers that do not authenticate clients). */
    public Resume(SessionId sessionId, long receivedOffset, long sentOffset, long attempt, byte[] proof) {
        this(sessionId, receivedOffset, sentOffset, attempt, proof, "");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Resume r && r.sessionId.equals(sessionId) && r.receivedOffset == receivedOffset && r.sentOffset == sentOffset
                && r.attempt == attempt && Arrays.equals(r.proof, proof) && r.credential.equals(credential)
                && java.util.Objects.equals(r.fleet, fleet) && r.join == join;
    }

    @Override
    public int hashCode() {
        return sessionId.hashCode() * 31 + Long.hashCode(receivedOffset);
    }

    /** Never shows the credential (its secret, nor its name: a peer's text in a log line is escaped where it is logged). */
    @Override
    public String toString() {
        return "Resume[" + sessionId.shortHex() + " received=" + receivedOffset + " sent=" + sentOffset + " attempt=" + attempt
                + " proof=" + HexFormat.of().formatHex(proof) + (credential.isEmpty() ? "" : " with a credential") + (fleet == null ? "" : " " + fleet) + (join ? " join" : "") + "]";
    }
}
