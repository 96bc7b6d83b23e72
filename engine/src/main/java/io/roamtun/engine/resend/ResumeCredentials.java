package io.roamtun.engine.resend;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;

/**
 * What lets a session be resumed by its client only: the session id, the secret WELCOME gave the client,
 * and the nonces a RESUME proves ({@link ResumeProof}). The client holds the one nonce its next RESUME
 * proves; the server holds the nonces such a RESUME may prove ({@link ResumeNonces}).
 */
public final class ResumeCredentials {
    private final SessionId id;
    private final byte[] secret;
    /** Client: the nonce the next RESUME proves. */
    private byte[] nonce;
    /** Server: the nonces a RESUME may prove. */
    private final ResumeNonces nonces;

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

    /** Client: the proof for the next RESUME. */
    byte[] proof() {
        return ResumeProof.compute(secret, id, nonce);
    }

    /** Client: the server handed out the nonce for the resume after this one (in RESUMED). */
    void acceptNextNonce(byte[] next) {
        nonce = next.clone();
    }

    /**
     * Server: the nonce {@code proof} was made with, checked against every nonce the client may hold.
     * Changes nothing: a wrong proof leaves the session exactly as it was.
     */
    byte[] verify(byte[] proof, String label) throws ProtocolException {
        byte[] proven = nonces == null ? null : nonces.provenBy(proof, secret, id);
        if (proven == null) {
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "RESUME of session " + label + " with a wrong proof; refused");
        }
        return proven;
    }

    /** Server: a resume proved with {@code proven} (from {@link #verify}) is accepted; returns the nonce for its RESUMED. */
    byte[] accept(byte[] proven) {
        return nonces.accepted(proven);
    }
}
