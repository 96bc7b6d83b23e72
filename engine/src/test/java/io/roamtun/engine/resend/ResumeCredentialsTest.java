package io.roamtun.engine.resend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;
import org.junit.jupiter.api.Test;

/** The nonces and attempt numbers a RESUME proves, between a server's credentials and the client's copy from WELCOME. */
class ResumeCredentialsTest {
    private static final byte[] NO_BINDING = new byte[0];

    /** One RESUME's proof as the client made it: its attempt number and the connection binding it is bound to. */
    private record Made(long attempt, byte[] proof, byte[] binding) {
        Made forged() {
            byte[] p = proof.clone();
            p[0] ^= 1;
            return new Made(attempt, p, binding);
        }
    }

    private record Pair(ResumeCredentials client, ResumeCredentials server, Welcome welcome) {
        static Pair issue() {
            ResumeCredentials server = ResumeCredentials.issue(SessionId.random());
            Welcome welcome = new Welcome(1, 0, 65536, 65536, server.id(), server.secret(), server.firstNonce());
            return new Pair(ResumeCredentials.received(welcome), server, welcome);
        }

        /** The client's next RESUME, bound to {@code binding}. */
        Made make(byte[] binding) {
            long attempt = client.nextAttempt();
            return new Made(attempt, client.proof(attempt, binding), binding);
        }

        Made make() {
            return make(NO_BINDING);
        }

        /** The server verifies the RESUME and accepts it: the nonce its RESUMED hands out. */
        byte[] resume(Made made) throws ProtocolException {
            return server.accept(made.attempt(), server.verify(made.attempt(), made.proof(), made.binding(), "test"));
        }

        void verifies(Made made, String why) {
            assertDoesNotThrow(() -> server.verify(made.attempt(), made.proof(), made.binding(), "test"), why);
        }

        ErrorCode refusal(Made made) {
            return assertThrows(ProtocolException.class, () -> server.verify(made.attempt(), made.proof(), made.binding(), "test")).code();
        }
    }

    @Test
    void aResumeNonceStaysValidUntilTheClientShowsItGotANewOne() throws Exception {
        Pair pair = Pair.issue();
        ResumeCredentials client = pair.client();
        // Two resumes accepted whose RESUMEDs were lost with their links: the client still holds the first nonce.
        pair.resume(pair.make());
        pair.resume(pair.make());
        pair.verifies(pair.make(), "the third resume with the first nonce");
        // This time RESUMED arrives: the client proves the new nonce, and the first one retires.
        client.acceptNextNonce(pair.resume(pair.make()));
        Made withSecond = pair.make();
        client.acceptNextNonce(pair.resume(withSecond));
        Made withThird = pair.make();
        pair.verifies(withThird, "the current nonce");
        ResumeCredentials holderOfTheFirst = ResumeCredentials.received(pair.welcome()); // the secret and the first nonce
        long next = client.nextAttempt();
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(new Made(next, holderOfTheFirst.proof(next, NO_BINDING), NO_BINDING)),
                "the first nonce, once the client proved a newer one");
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(withThird.forged()));
        pair.verifies(withThird, "a forged proof changed nothing");
    }

    /** The review's finding 4: the last RESUME, replayed byte for byte on a new connection, took the session over. */
    @Test
    void aResumeReplayedAfterItWasAcceptedIsRefused() throws Exception {
        Pair pair = Pair.issue();
        Made first = pair.make();
        pair.resume(first); // its RESUMED lost: the client holds the same nonce still
        assertEquals(ErrorCode.SESSION_TAKEN_OVER, pair.refusal(first), "the same RESUME a second time");
        Made second = pair.make();
        pair.resume(second);
        assertEquals(ErrorCode.SESSION_TAKEN_OVER, pair.refusal(first), "an older one");
        assertEquals(ErrorCode.SESSION_TAKEN_OVER, pair.refusal(second), "the last one");
        pair.verifies(pair.make(), "the client's next RESUME, with the same nonce (no RESUMED reached it)");
    }

    /**
     * Two RESUMEs from the client: its attempt N on a connection it later gave up, and attempt N+1 on the
     * next. When N+1 is accepted first, N arrives stale: refused, so it cannot take the session back.
     */
    @Test
    void aStaleResumeDeliveredAfterTheNextAttemptIsRefused() throws Exception {
        Pair pair = Pair.issue();
        Made givenUp = pair.make();
        Made next = pair.make();
        pair.client().acceptNextNonce(pair.resume(next));
        assertEquals(ErrorCode.SESSION_TAKEN_OVER, pair.refusal(givenUp));
        pair.verifies(pair.make(), "the client's next resume");
    }

    @Test
    void aProofBoundToOneConnectionIsWorthNothingOnAnother() throws Exception {
        Pair pair = Pair.issue();
        byte[] connectionA = new byte[32];
        byte[] connectionB = new byte[32];
        connectionB[31] = 1;
        Made onA = pair.make(connectionA);
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(new Made(onA.attempt(), onA.proof(), connectionB)), "moved to B");
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(new Made(onA.attempt(), onA.proof(), NO_BINDING)), "moved to an unbound link");
        pair.verifies(onA, "on its own connection");
    }

    /** A secret holder's RESUME numbered far ahead would make every later one of the real client "stale". */
    @Test
    void anAttemptFarBeyondTheLastAcceptedIsRefused() throws Exception {
        Pair pair = Pair.issue();
        long far = ResumeCredentials.MAX_ATTEMPT_GAP + 1;
        Made jump = new Made(far, pair.client().proof(far, NO_BINDING), NO_BINDING);
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(jump));
        Made last = new Made(0xFFFF_FFFFL, pair.client().proof(0xFFFF_FFFFL, NO_BINDING), NO_BINDING);
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(last));
        pair.verifies(pair.make(), "the client's own next RESUME");
    }

    @Test
    void anAttemptNumberCannotBeChangedWithoutTheSecret() {
        Pair pair = Pair.issue();
        Made made = pair.make();
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(new Made(made.attempt() + 1, made.proof(), NO_BINDING)));
    }

    /**
     * Two RESUMEs accepted one after the other, the later with the higher attempt: the client's attempt,
     * whose RESUMED it reads, and then its next one, whose RESUMED is lost. The client holds the first
     * RESUMED's nonce; its next resume must not be refused (a CI run of LoopbackHandoverTest saw exactly
     * this end a session and reset its app).
     */
    @Test
    void theNonceOfAnEarlierOfTwoAcceptedResumesStillProves() throws Exception {
        Pair pair = Pair.issue();
        ResumeCredentials client = pair.client();
        byte[] toTheClientsAttempt = pair.resume(pair.make());
        pair.resume(pair.make()); // a RESUMED never read
        client.acceptNextNonce(toTheClientsAttempt);
        Made withSecond = pair.make();
        pair.verifies(withSecond, "the nonce the client took");
        client.acceptNextNonce(pair.resume(withSecond));
        pair.verifies(pair.make(), "the newest nonce");
    }

    @Test
    void aClientWithoutTheSecretCannotProve() {
        Pair pair = Pair.issue();
        Pair other = Pair.issue();
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(other.make()));
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(new Made(1, new byte[32], NO_BINDING)));
    }
}
