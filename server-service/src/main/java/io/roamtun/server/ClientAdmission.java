package io.roamtun.server;

import io.roamtun.engine.link.Link;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.Session;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the clients file says about a session's client, once it is open: whether it may go on (not revoked,
 * not given a new secret), whether a RESUME really comes from it, and which services it may open. Without
 * client authentication ({@code clients} null) everyone may do everything.
 */
final class ClientAdmission {
    private static final Logger log = LoggerFactory.getLogger(ClientAdmission.class);

    private final ClientCredentials clients;

    ClientAdmission(ClientCredentials clients) {
        this.clients = clients;
    }

    /**
     * Why the session's client may no longer use it, or null: removed from the clients file, or given a new
     * secret (the one the session was opened with may have leaked; 'client add --replace' must lock it out).
     */
    String whyNoLongerAdmitted(ServerSession held) {
        if (clients == null || held.session.owner().isEmpty()) {
            return null;
        }
        return whyNoLongerAdmitted(held, clients.find(held.session.owner()));
    }

    /** As above, with the session's client as just read from the clients file (null: not in it). */
    static String whyNoLongerAdmitted(ServerSession held, ClientCredentials.Client client) {
        if (client == null) {
            return "client " + held.session.owner() + " was revoked";
        }
        if (held.secretHash != null && !MessageDigest.isEqual(held.secretHash, client.secretSha256())) {
            return "client " + held.session.owner() + " has a new secret";
        }
        return null;
    }

    /**
     * With client authentication, a RESUME must carry the credential of the session's own client, as HELLO
     * did: the session secret alone (leaked, or read off a plaintext link) does not take a session over,
     * and the owner, who has both, always can. AUTH_FAILED otherwise, the session untouched.
     */
    void checkResumeCredential(Link link, ServerSession held, Resume resume) throws ProtocolException {
        String owner = held.session.owner();
        if (clients == null || owner.isEmpty()) {
            return;
        }
        ClientCredentials.Client presented = clients.authenticate(resume.credential());
        if (!presented.name().equals(owner)) {
            log.info("link {}: RESUME of session {} with the credential of client {}, not of its own client {}",
                    link.name(), held.session.label(), presented.name(), owner);
            throw new ProtocolException(ErrorCode.AUTH_FAILED, ClientCredentials.REFUSED);
        }
    }

    /** The services {@code session}'s client may open out of {@code all}, as the clients file says now. */
    ServiceDirectory servicesOf(Session session, ServiceDirectory all) {
        if (clients == null || session.owner().isEmpty()) {
            return all;
        }
        ClientCredentials.Client client = clients.find(session.owner());
        return client == null ? all.restrictedTo(name -> false, session.owner()) : all.restrictedTo(client::mayOpen, client.name());
    }
}
