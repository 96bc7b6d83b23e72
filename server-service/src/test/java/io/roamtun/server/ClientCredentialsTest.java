package io.roamtun.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientCredentialsTest {

    /** A stranger must not learn which client names exist: an unknown name and a wrong secret read the same. */
    @Test
    void anUnknownNameAndAWrongSecretGetTheSameRefusal(@TempDir Path dir) throws Exception {
        ClientCredentials clients = new ClientCredentials(dir.resolve("clients.properties"));
        String credential = ClientCredentials.add(clients.file(), "laptop", List.of());
        assertEquals("laptop", clients.authenticate(credential).name());
        ProtocolException unknown = assertThrows(ProtocolException.class, () -> clients.authenticate("stranger:abc"));
        ProtocolException wrong = assertThrows(ProtocolException.class, () -> clients.authenticate("laptop:not-the-secret"));
        assertEquals(ErrorCode.AUTH_FAILED, unknown.code());
        assertEquals(ErrorCode.AUTH_FAILED, wrong.code());
        assertEquals(unknown.getMessage(), wrong.getMessage(), "the same words for both");
        assertFalse(unknown.getMessage().contains("stranger") || wrong.getMessage().contains("laptop"), "no name echoed");
    }

    /** A blank services line allows no service (it meant every one); no line at all still means every one. */
    @Test
    void aBlankServicesLineAllowsNone(@TempDir Path dir) throws Exception {
        ClientCredentials clients = new ClientCredentials(dir.resolve("clients.properties"));
        ClientCredentials.add(clients.file(), "all", List.of());
        ClientCredentials.add(clients.file(), "some", List.of("echo", "web"));
        ClientCredentials.add(clients.file(), "blank", List.of());
        ClientCredentials.add(clients.file(), "old", List.of());
        String text = Files.readString(clients.file())
                .replace("client.blank.services=*", "client.blank.services=")
                .replaceAll("client\\.old\\.services=\\*\\R", "");
        Files.writeString(clients.file(), text);
        assertTrue(clients.find("all").mayOpen("echo"));
        assertTrue(clients.find("some").mayOpen("web"));
        assertFalse(clients.find("some").mayOpen("ssh"));
        assertFalse(clients.find("blank").mayOpen("echo"), "blank: none");
        assertTrue(clients.find("old").mayOpen("echo"), "no services line: every service, as files always had");
    }
}
