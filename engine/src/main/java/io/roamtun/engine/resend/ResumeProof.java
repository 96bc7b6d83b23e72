package io.roamtun.engine.resend;

import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Wire;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof that a RESUME comes from the client that holds the session: HMAC-SHA256, keyed with the session
 * secret the server gave only that client (in WELCOME, inside TLS), over the session id, a nonce the
 * server chose and hands out anew after every resume (in RESUMED), the client's attempt number (the
 * server takes each once) and, when the session negotiated it, the TLS connection's exporter value (so
 * the proof is worth nothing on any other connection). A stolen session id proves nothing; a RESUME
 * replayed carries a used attempt number and, under TLS, another connection's binding.
 */
public final class ResumeProof {
    private static final byte[] LABEL = "roamtun resume v2".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ResumeProof() {}

    public static byte[] randomSecret() {
        byte[] secret = new byte[Wire.SESSION_SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return secret;
    }

    public static byte[] randomNonce() {
        byte[] nonce = new byte[Wire.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** {@code binding} is the connection's exporter value, or empty when the session does not bind resumes. */
    public static byte[] compute(byte[] secret, SessionId id, byte[] nonce, long attempt, byte[] binding) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(id.toBytes());
            mac.update(nonce);
            mac.update(new byte[] {(byte) (attempt >>> 24), (byte) (attempt >>> 16), (byte) (attempt >>> 8), (byte) attempt});
            mac.update((byte) binding.length);
            return mac.doFinal(binding);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Constant-time check of {@code proof} against the nonce, attempt and binding given. */
    public static boolean matches(byte[] proof, byte[] secret, SessionId id, byte[] nonce, long attempt, byte[] binding) {
        return nonce != null && MessageDigest.isEqual(proof, compute(secret, id, nonce, attempt, binding));
    }
}
