package io.roamtun.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a reload of the client's configuration changes: the forwards apply at once ({@link ForwardPorts});
 * the server, its trust and the credential, the session and link settings, the interface policy and the
 * admin socket were fixed at start, so a change of those is named and kept for the next start.
 */
final class ClientReload {
    private ClientReload() {}

    /** The configuration to run with: {@code fresh}'s forwards, the rest as running. */
    static ClientConfig merge(ClientConfig running, ClientConfig fresh) {
        return new ClientConfig(running.server(), fresh.forwards(), running.session(), running.link(), running.interfaces(),
                running.pollInterval(), running.paths(), running.adminSocket(), running.transports(), running.credential());
    }

    /** What changed that takes a restart (the credential by name only: never its value). */
    static List<String> needRestart(ClientConfig running, ClientConfig fresh) {
        List<String> changes = new ArrayList<>();
        changed(changes, "server", running.server(), fresh.server());
        changed(changes, "TLS or plaintext", running.transports().describe(), fresh.transports().describe());
        if (!running.credential().equals(fresh.credential())) {
            changes.add("credential");
        }
        changed(changes, "session settings", running.session(), fresh.session());
        changed(changes, "dead-after", running.link(), fresh.link());
        changed(changes, "poll-interval", running.pollInterval(), fresh.pollInterval());
        changed(changes, "prefer/exclude", running.paths(), fresh.paths());
        changed(changes, "admin-socket", running.adminSocket(), fresh.adminSocket());
        return changes;
    }

    private static void changed(List<String> changes, String what, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            changes.add(what + " " + before + " -> " + after);
        }
    }
}
