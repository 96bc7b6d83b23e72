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
 * secret the server gave only that client (in WELCOME, inside TLS), over the session id and a nonce the
 * server chose and hands out anew after every resume (in RESUMED). A stolen session id proves nothing;
 * an old RESUME replayed carries an old nonce.
 */
public final class ResumeProof {
    private static final byte[] LABEL = "roamtun resume v1".getBytes(StandardCharsets.US_ASCII);
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

    public static byte[] compute(byte[] secret, SessionId id, byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(id.toBytes());
            return mac.doFinal(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Constant-time check of {@code proof} against the nonce given. */
    public static boolean matches(byte[] proof, byte[] secret, SessionId id, byte[] nonce) {
        return nonce != null && MessageDigest.isEqual(proof, compute(secret, id, nonce));
    }
}
