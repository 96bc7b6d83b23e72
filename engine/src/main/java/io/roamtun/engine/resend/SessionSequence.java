package io.roamtun.engine.resend;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;

/**
 * Both halves of a session's sequence and what resumes it: the replay buffer (what this side sent and the
 * peer has not acknowledged), the {@link AckClock} (what this side received), and the
 * {@link ResumeCredentials}. The resume handshake is here, each step checked once:
 *
 * <pre>
 *   client                                   server
 *   resumeRequest()    -- RESUME -->         checkResume()   proof, then resend point; changes nothing
 *                                            commitResume()  next nonce; resend from the resend point
 *   resumeFromPeer()   <-- RESUMED --        (the caller sends RESUMED and attaches the new link)
 * </pre>
 */
public final class SessionSequence {
    private final ReplayBuffer replay;
    private final AckClock acks;
    private ResumeCredentials credentials;

    public SessionSequence(ReplayBuffer replay, AckClock acks) {
        this.replay = replay;
        this.acks = acks;
    }

    public ReplayBuffer replay() {
        return replay;
    }

    public AckClock acks() {
        return acks;
    }

    private io.roamtun.protocol.FleetTicket fleetTicket;

    /** The session's id; null until WELCOME (client) or HELLO (server). */
    public SessionId id() {
        return credentials != null ? credentials.id() : null;
    }

    /** Server: names a new session and makes its credentials; returns the WELCOME that carries them. */
    public Welcome welcome(int version, int capabilities, int window, int maxPayload, byte[] idTag) {
        credentials = ResumeCredentials.issue(idTag == null ? SessionId.random() : SessionId.tagged(idTag));
        return new Welcome(version, capabilities, window, maxPayload, credentials.id(), credentials.secret(),
                credentials.firstNonce());
    }

    /** Client: the server's WELCOME named the session (and, in a fleet, the node that holds it). */
    public void welcomed(Welcome welcome) {
        credentials = ResumeCredentials.received(welcome);
        fleetTicket = welcome.fleet();
    }

    /** Client: the ticket of the node holding the session, carried in every RESUME; null outside a fleet. */
    public io.roamtun.protocol.FleetTicket fleetTicket() {
        return fleetTicket;
    }

    /**
     * Client: the RESUME a new link starts with, numbered anew, its proof bound to {@code binding} (the
     * link's exporter value; empty when the session does not bind), carrying {@code credential} ("" for none).
     */
    public Resume resumeRequest(byte[] binding, String credential) {
        long attempt = credentials.nextAttempt();
        return new Resume(credentials.id(), acks.received(), replay.head(), attempt, credentials.proof(attempt, binding), credential,
                fleetTicket);
    }

    /**
     * Server: checks a RESUME arriving on a connection whose binding is {@code binding}, once: its proof
     * ({@code AUTH_FAILED}, nothing changed: a stolen session id is worth nothing), its attempt number
     * ({@code SESSION_TAKEN_OVER} when not newer than one accepted: replayed or stale), then that this side
     * can resend from what the client received ({@code SEQUENCE_ERROR}: the session cannot be resumed).
     */
    public ResumeCheck checkResume(Resume resume, byte[] binding, String label) throws ProtocolException {
        byte[] proven = credentials.verify(resume.attempt(), resume.proof(), binding, label);
        long from = ResendPoint.of(replay, resume.receivedOffset());
        return new ResumeCheck(from, resume.sentOffset(), proven, resume.attempt());
    }

    /** Server: commits a checked resume; returns the nonce for its RESUMED. Resending starts at {@code check.resendFrom()}. */
    public byte[] commitResume(ResumeCheck check) {
        byte[] next = credentials.accept(check.attempt(), check.proven());
        movedTo(check.resendFrom());
        return next;
    }

    /** Client: RESUMED said the server received up to {@code peerReceived}; returns where this side resends from. */
    public long resumeFromPeer(long peerReceived, byte[] nextNonce) throws ProtocolException {
        long from = ResendPoint.of(replay, peerReceived);
        credentials.acceptNextNonce(nextNonce);
        movedTo(from);
        return from;
    }

    /** Server, MULTIPATH: commits a checked RESUME that joins a link beside the one carrying the session; returns the nonce for its RESUMED. */
    public byte[] commitJoin(ResumeCheck check) {
        byte[] next = credentials.accept(check.attempt(), check.proven());
        replay.acknowledge(check.resendFrom()); // (what the client received it has: the same arithmetic as a resume)
        return next;
    }

    /** Client, MULTIPATH: a join's RESUMED said the server received up to {@code peerReceived}. */
    public void joined(long peerReceived, byte[] nextNonce) throws ProtocolException {
        long upTo = ResendPoint.of(replay, peerReceived);
        credentials.acceptNextNonce(nextNonce);
        replay.acknowledge(upTo);
    }

    /**
     * MULTIPATH: a link already beside the one carrying the session carries it from now on; the peer had
     * received up to {@code peerReceived} (at least what it acknowledged). Returns where this side resends from.
     */
    public long promoted(long peerReceived) throws ProtocolException {
        long from = ResendPoint.of(replay, peerReceived);
        replay.acknowledge(from);
        acks.sayAgainOnNewLink();
        return from;
    }

    /**
     * A new link carries the sequence, resending from {@code from}: what comes before it the peer has. (The
     * link it leaves keeps its pin until it is closed, right after: a link still beside it keeps its own.)
     */
    private void movedTo(long from) {
        replay.acknowledge(from);
        acks.sayAgainOnNewLink();
    }

    /** The peer's ACK: frees what it covers; a lie (beyond what was sent, inside a frame) is a SEQUENCE_ERROR. */
    public void onPeerAck(long offset) throws ProtocolException {
        switch (AckCheck.of(replay, offset)) {
            case NEW -> replay.acknowledge(offset);
            case NOT_NEW -> { } // at or below an earlier ACK
            case BEYOND_HEAD -> throw new ProtocolException(ErrorCode.SEQUENCE_ERROR,
                    "ACK of " + offset + " but only " + replay.head() + " was ever sent");
            case INSIDE_FRAME -> throw new ProtocolException(ErrorCode.SEQUENCE_ERROR, "ACK of " + offset + ", which is inside a frame");
        }
    }

    /** The session is over: buffers back to their pools, no more ACK timer. */
    public void release() {
        acks.stop();
        replay.release();
    }
}
