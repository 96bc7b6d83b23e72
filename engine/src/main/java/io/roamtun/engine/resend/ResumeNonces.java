package io.roamtun.engine.resend;

import io.roamtun.protocol.SessionId;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Server side: the nonces a RESUME of one session may prove. The client holds the nonce of the last
 * RESUMED that reached it, which need not be the last one handed out: a RESUMED is lost with its link, and
 * two RESUMEs can be accepted one after the other when a connection the client already gave up delivers
 * its RESUME after the one of the client's next attempt (the later wins the session, but the client took
 * the nonce of the earlier). So a RESUME may prove the nonce the client last proved it holds ({@code held})
 * or any of the last {@link #MAX_HANDED_OUT} handed out since. Proving one of those shows the client took
 * it: it becomes the held one, and the held one and those handed out before it retire.
 */
final class ResumeNonces {
    static final int MAX_HANDED_OUT = 4;

    private byte[] held;
    /** Handed out in RESUMEDs since {@link #held} was proved, oldest first. */
    private final ArrayDeque<byte[]> handedOut = new ArrayDeque<>();

    ResumeNonces(byte[] first) {
        this.held = first.clone();
    }

    /** The nonce {@code proof} (of {@code attempt}, bound to {@code binding}) was made with, or null when it proves none of them. */
    byte[] provenBy(byte[] proof, byte[] secret, SessionId id, long attempt, byte[] binding) {
        if (ResumeProof.matches(proof, secret, id, held, attempt, binding)) {
            return held;
        }
        for (byte[] nonce : handedOut) {
            if (ResumeProof.matches(proof, secret, id, nonce, attempt, binding)) {
                return nonce;
            }
        }
        return null;
    }

    /** A resume proved with {@code proven} (from {@link #provenBy}) is accepted: returns the nonce for the RESUMED. */
    byte[] accepted(byte[] proven) {
        if (proven != held) {
            Iterator<byte[]> it = handedOut.iterator();
            while (it.hasNext()) {
                byte[] nonce = it.next();
                it.remove();
                if (nonce == proven) {
                    break;
                }
            }
            held = proven;
        }
        byte[] next = ResumeProof.randomNonce();
        handedOut.addLast(next);
        if (handedOut.size() > MAX_HANDED_OUT) {
            handedOut.removeFirst();
        }
        return next.clone();
    }
}
