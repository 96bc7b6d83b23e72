package io.roamtun.engine.resend;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.roamtun.protocol.SessionId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which nonces a RESUME may prove, and that their number stays bounded whatever the client does. */
class ResumeNoncesTest {
    private final byte[] secret = ResumeProof.randomSecret();
    private final SessionId id = SessionId.random();

    private static final byte[] NO_BINDING = new byte[0];

    private byte[] proof(byte[] nonce) {
        return ResumeProof.compute(secret, id, nonce, 1, NO_BINDING);
    }

    @Test
    void theHeldNonceAndTheLastHandedOutProveOlderHandedOutOnesRetire() {
        byte[] first = ResumeProof.randomNonce();
        ResumeNonces nonces = new ResumeNonces(first);
        List<byte[]> handed = new ArrayList<>();
        for (int i = 0; i < ResumeNonces.MAX_HANDED_OUT + 2; i++) {
            byte[] proven = nonces.provenBy(proof(first), secret, id, 1, NO_BINDING);
            assertNotNull(proven, "the held nonce proves while no newer one was proved (resume " + i + ")");
            handed.add(nonces.accepted(proven));
        }
        assertNull(nonces.provenBy(proof(handed.get(0)), secret, id, 1, NO_BINDING), "beyond the window");
        assertNull(nonces.provenBy(proof(handed.get(1)), secret, id, 1, NO_BINDING), "beyond the window");
        for (int i = 2; i < handed.size(); i++) {
            assertNotNull(nonces.provenBy(proof(handed.get(i)), secret, id, 1, NO_BINDING), "handed out " + i);
        }
        byte[] third = handed.get(3);
        nonces.accepted(nonces.provenBy(proof(third), secret, id, 1, NO_BINDING));
        assertNull(nonces.provenBy(proof(first), secret, id, 1, NO_BINDING), "the held one retires once a newer one is proved");
        assertNull(nonces.provenBy(proof(handed.get(2)), secret, id, 1, NO_BINDING), "those handed out before the proved one retire");
        assertNotNull(nonces.provenBy(proof(third), secret, id, 1, NO_BINDING), "the proved one is held now");
        assertNotNull(nonces.provenBy(proof(handed.get(4)), secret, id, 1, NO_BINDING), "those handed out after it may still reach the client");
        byte[] forged = proof(third);
        forged[5] ^= 1;
        assertNull(nonces.provenBy(forged, secret, id, 1, NO_BINDING));
    }
}
