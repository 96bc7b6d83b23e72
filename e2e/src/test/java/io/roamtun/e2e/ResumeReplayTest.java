package io.roamtun.e2e;

import static io.roamtun.e2e.RawClient.exchange;
import static io.roamtun.e2e.RawClient.hello;
import static io.roamtun.e2e.RawClient.resume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.transport.TransportFactory;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Welcome;
import io.roamtun.server.ClientCredentials;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What someone who learned a session's secrets can do with them (the review's findings 4 and 5), played
 * in plaintext where such an attacker reads WELCOME and every RESUME off the wire. Under TLS they would
 * need the plaintext first, and each proof is bound to its connection besides.
 */
class ResumeReplayTest {

    private static ServerService server(ClientCredentials clients) throws Exception {
        LinkSettings link = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));
        return ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), link, Duration.ofMinutes(5),
                TransportFactory.plaintext(), clients, 10, 4, 100));
    }

    /** Finding 4: the last RESUME, replayed byte for byte on a new connection, took the session over. */
    @Test
    @Timeout(60)
    void aRecordedResumeReplayedOnANewConnectionIsRefused(@TempDir Path tmp) throws Exception {
        ClientCredentials clients = new ClientCredentials(tmp.resolve("clients.properties"));
        String laptop = ClientCredentials.add(clients.file(), "laptop", List.of());
        try (ServerService server = server(clients)) {
            Welcome welcome = exchange(server.address(), hello(laptop), a -> a.welcome != null).welcome;
            assertNotNull(welcome);
            ByteBuffer recorded = resume(welcome, 0, 1, laptop);
            RawClient.Answer first = exchange(server.address(), recorded, a -> a.resumed || a.goAway != null);
            assertTrue(first.resumed, "the client's own RESUME is accepted");
            assertEquals(1, server.resumes());

            RawClient.Answer replayed = exchange(server.address(), recorded, a -> a.resumed || a.goAway != null);
            assertFalse(replayed.resumed, "the replay did not resume the session");
            assertEquals(ErrorCode.SESSION_TAKEN_OVER, replayed.goAway, "refused as stale or replayed");
            assertEquals(1, server.resumes(), "no takeover");

            RawClient.Answer next = exchange(server.address(), resume(welcome, 0, 2, laptop), a -> a.resumed || a.goAway != null);
            assertTrue(next.resumed, "the client's next RESUME (its RESUMED lost, same nonce, a new attempt) still resumes");
            assertEquals(2, server.resumes());
        }
    }

    /**
     * Finding 5: whoever last proved the session secret held the session, so a thief who had it and the
     * owner took it from each other in turn. Now a RESUME must also carry the credential of the session's
     * own client: the thief with the secret alone, or with another client's credential, is refused; the
     * owner, who has both, always resumes.
     */
    @Test
    @Timeout(60)
    void theSessionSecretAloneDoesNotTakeASessionTheOwnersCredentialDoes(@TempDir Path tmp) throws Exception {
        ClientCredentials clients = new ClientCredentials(tmp.resolve("clients.properties"));
        String laptop = ClientCredentials.add(clients.file(), "laptop", List.of());
        String phone = ClientCredentials.add(clients.file(), "phone", List.of());
        try (ServerService server = server(clients)) {
            Welcome stolen = exchange(server.address(), hello(laptop), a -> a.welcome != null).welcome;
            assertNotNull(stolen);

            // Offsets the server cannot serve, without the credential: refused for the credential, and the
            // session is not ended (a SEQUENCE_ERROR here would end the owner's session).
            RawClient.Answer lying = exchange(server.address(), resume(stolen, 4096, 6, ""), a -> a.resumed || a.goAway != null);
            assertEquals(ErrorCode.AUTH_FAILED, lying.goAway, "lying offsets without the credential");
            RawClient.Answer bare = exchange(server.address(), resume(stolen, 0, 7, ""), a -> a.resumed || a.goAway != null);
            assertEquals(ErrorCode.AUTH_FAILED, bare.goAway, "the secret without a credential");
            RawClient.Answer other = exchange(server.address(), resume(stolen, 0, 8, phone), a -> a.resumed || a.goAway != null);
            assertEquals(ErrorCode.AUTH_FAILED, other.goAway, "the secret with another client's credential");
            RawClient.Answer wrong = exchange(server.address(), resume(stolen, 0, 9, "laptop:not-the-secret"),
                    a -> a.resumed || a.goAway != null);
            assertEquals(ErrorCode.AUTH_FAILED, wrong.goAway, "the secret with a guessed credential");
            assertEquals(0, server.resumes(), "the thief took nothing");

            RawClient.Answer owner = exchange(server.address(), resume(stolen, 0, 1, laptop), a -> a.resumed || a.goAway != null);
            assertTrue(owner.resumed, "the owner resumes, with a lower attempt than the thief's refused ones");
            assertEquals(1, server.resumes());
            assertEquals(1, server.sessionsOpened());
        }
    }
}
