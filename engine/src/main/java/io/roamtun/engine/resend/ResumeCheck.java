package io.roamtun.engine.resend;

/**
 * A RESUME the server checked once, proof and resend point, with nothing changed yet: what
 * {@link SessionSequence#checkResume} gives and {@link SessionSequence#commitResume} takes, so a resume
 * cannot be committed unchecked, nor checked twice.
 *
 * @param resendFrom   where this side resends from (a frame start in its replay buffer)
 * @param peerSentHead the client's sequence head, for the log of what it resends
 * @param proven       the nonce the proof was made with
 * @param attempt      the client's number of this RESUME
 */
public record ResumeCheck(long resendFrom, long peerSentHead, byte[] proven, long attempt) {
}
