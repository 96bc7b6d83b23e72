package io.roamtun.engine.resend;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;

/**
 * What lets a session be resumed by its client only: the session id, the secret WELCOME gave the client,
 * the nonces a RESUME proves ({@link ResumeProof}) and the attempt numbers. The client holds the one
 * nonce its next RESUME proves and counts its RESUMEs; the server holds the nonces such a RESUME may
 * prove ({@link ResumeNonces}) and the highest attempt it accepted: each attempt number is taken once, so
 * a RESUME replayed, or delivered after a newer one, is refused.
 */
public final class ResumeCredentials {
    private final SessionId id;
    private final byte[] secret;
    /** Client: the nonce the next RESUME proves. */
    private byte[] nonce;
    /** Server: the nonces a RESUME may prove. */
    private final ResumeNonces nonces;
    /**
     * How far past the last accepted attempt a RESUME's may be. The client numbers each RESUME it makes
     * (after a TLS handshake, one at a time), so even a long stretch of refused or lost attempts stays far
     * below this.
     */
    static final long MAX_ATTEMPT_GAP = 1 << 16;

    /** Client: the number of the last RESUME made. Server: the highest attempt accepted (0: none yet). */
    private long attempt;

    private ResumeCredentials(SessionId id, byte[] secret, byte[] nonce, ResumeNonces nonces) {
        this.id = id;
        this.secret = secret;
        this.nonce = nonce;
        this.nonces = nonces;
    }

    /** Server: credentials for a new session; {@link #firstNonce()} and the secret go to the client in WELCOME. */
    static ResumeCredentials issue(SessionId id) {
        byte[] first = ResumeProof.randomNonce();
        return new ResumeCredentials(id, ResumeProof.randomSecret(), first, new ResumeNonces(first));
    }

    /** Client: the credentials the server's WELCOME carried. */
    static ResumeCredentials received(Welcome welcome) {
        return new ResumeCredentials(welcome.sessionId(), welcome.sessionSecret().clone(), welcome.resumeNonce().clone(), null);
    }

    public SessionId id() {
        return id;
    }

    byte[] secret() {
        return secret.clone();
    }

    /** Server: the nonce handed out in WELCOME. */
    byte[] firstNonce() {
        return nonce.clone();
    }

    /** Client: the number of the next RESUME; each RESUME gets its own. */
    long nextAttempt() {
        if (attempt == 0xFFFF_FFFFL) {
            throw new IllegalStateException("session " + id.shortHex() + " was resumed 2^32-1 times");
        }
        return ++attempt;
    }

    /** Client: the proof for RESUME number {@code attempt} on a connection whose binding is {@code binding} (empty: none). */
    byte[] proof(long attempt, byte[] binding) {
        return ResumeProof.compute(secret, id, nonce, attempt, binding);
    }

    /** Client: the server handed out the nonce for the resume after this one (in RESUMED). */
    void acceptNextNonce(byte[] next) {
        nonce = next.clone();
    }

    /**
     * Server: the nonce {@code proof} was made with, checked against every nonce the client may hold, for
     * {@code attempt} on the connection of {@code binding}; then that the attempt is newer than any accepted.
     * Changes nothing: a refused RESUME leaves the session exactly as it was.
     */
    byte[] verify(long attempt, byte[] proof, byte[] binding, String label) throws ProtocolException {
        byte[] proven = nonces == null ? null : nonces.provenBy(proof, secret, id, attempt, binding);
        if (proven == null) {
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "RESUME of session " + label + " with a wrong proof; refused");
        }
        if (attempt > this.attempt + MAX_ATTEMPT_GAP) {
            // The client counts only the RESUMEs it makes, one at a time: a jump this far is not its own. Taken,
            // it would leave the real client's next numbers all "stale", for good.
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "RESUME attempt " + attempt + " of session " + label
                    + " is more than " + MAX_ATTEMPT_GAP + " past the last accepted (" + this.attempt + "); refused");
        }
        if (attempt <= this.attempt) {
            // The client numbers every RESUME anew: one not newer than the last accepted is a replay, or
            // stale (it waited in the network while the client's next attempt resumed). Neither may take
            // the session from the client's current connection.
            throw new ProtocolException(ErrorCode.SESSION_TAKEN_OVER, "RESUME attempt " + attempt + " of session " + label
                    + " is not newer than attempt " + this.attempt + ", already accepted (stale or replayed)");
        }
        return proven;
    }

    /**
     * Server: a resume of {@code attempt}, proved with {@code proven} (from {@link #verify}), is accepted;
     * returns the nonce for its RESUMED.
     */
    byte[] accept(long attempt, byte[] proven) {
        this.attempt = attempt;
        return nonces.accepted(proven);
    }
}
