package io.roamtun.engine.resend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;
import org.junit.jupiter.api.Test;

/** The nonces a RESUME proves, between a server's credentials and the client's copy from WELCOME. */
class ResumeCredentialsTest {

    private record Pair(ResumeCredentials client, ResumeCredentials server) {
        static Pair issue() {
            ResumeCredentials server = ResumeCredentials.issue(SessionId.random());
            Welcome welcome = new Welcome(1, 0, 65536, 65536, server.id(), server.secret(), server.firstNonce());
            return new Pair(ResumeCredentials.received(welcome), server);
        }

        /** The server verifies {@code proof} and accepts it: the nonce its RESUMED hands out. */
        byte[] resume(byte[] proof) throws ProtocolException {
            return server.accept(server.verify(proof, "test"));
        }

        ErrorCode refusal(byte[] proof) {
            return assertThrows(ProtocolException.class, () -> server.verify(proof, "test")).code();
        }
    }

    @Test
    void aResumeNonceStaysValidUntilTheClientShowsItGotANewOne() throws Exception {
        Pair pair = Pair.issue();
        ResumeCredentials client = pair.client();
        byte[] withFirst = client.proof();
        // Two resumes accepted whose RESUMEDs were lost with their links: the client still holds the first nonce.
        pair.resume(withFirst);
        pair.resume(withFirst);
        assertDoesNotThrow(() -> pair.server().verify(withFirst, "test"), "the third resume with the first nonce");
        // This time RESUMED arrives: the client proves the new nonce, and the first one retires.
        client.acceptNextNonce(pair.resume(withFirst));
        byte[] withSecond = client.proof();
        client.acceptNextNonce(pair.resume(withSecond));
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(withFirst), "two nonces later the first is worth nothing");
        assertDoesNotThrow(() -> pair.server().verify(withSecond, "test"), "the one before the current stays");
        assertDoesNotThrow(() -> pair.server().verify(client.proof(), "test"));
        byte[] forged = client.proof().clone();
        forged[0] ^= 1;
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(forged));
        assertDoesNotThrow(() -> pair.server().verify(client.proof(), "test"), "a forged proof changed nothing");
    }

    /**
     * Two RESUMEs accepted one after the other with the same nonce: the client's attempt, whose RESUMED it
     * reads, and then one from a connection the client had already given up, which reached the server
     * later and took the session over. The client holds the first RESUMED's nonce; its next resume must
     * not be refused (a CI run of LoopbackHandoverTest saw exactly this end a session and reset its app).
     */
    @Test
    void theNonceOfAnEarlierOfTwoAcceptedResumesStillProves() throws Exception {
        Pair pair = Pair.issue();
        ResumeCredentials client = pair.client();
        byte[] withFirst = client.proof();
        byte[] toTheClientsAttempt = pair.resume(withFirst);
        pair.resume(withFirst); // the given-up connection's RESUMED, never read
        client.acceptNextNonce(toTheClientsAttempt);
        byte[] withSecond = client.proof();
        assertDoesNotThrow(() -> pair.server().verify(withSecond, "test"), "the nonce the client took");
        client.acceptNextNonce(pair.resume(withSecond));
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(withFirst), "once the client proved a newer nonce, the first is worth nothing");
        assertDoesNotThrow(() -> pair.server().verify(client.proof(), "test"));
    }

    @Test
    void aClientWithoutTheSecretCannotProve() {
        Pair pair = Pair.issue();
        Pair other = Pair.issue();
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(other.client().proof()));
        assertEquals(ErrorCode.AUTH_FAILED, pair.refusal(new byte[32]));
    }
}
