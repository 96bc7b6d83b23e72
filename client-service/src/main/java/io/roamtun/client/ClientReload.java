package io.roamtun.client;

import io.roamtun.engine.config.ConfigChanges;
import java.util.ArrayList;
import java.util.List;

/**
 * What a reload of the client's configuration changes: the forwards and --allow-from apply at once ({@link ForwardPorts});
 * the server, its trust and the credential, the session and link settings, the interface policy, the
 * admin socket and the exposed ports (asked for in the session's HELLO) were fixed at start, so a change of those is named and kept for the next start.
 */
final class ClientReload {
    private ClientReload() {}

    /** The configuration to run with: {@code fresh}'s forwards and sources allowed, the rest as running. */
    static ClientConfig merge(ClientConfig running, ClientConfig fresh) {
        return new ClientConfig(running.upstreams(), fresh.forwards(), running.session(), running.link(), running.interfaces(),
                running.pollInterval(), running.paths(), running.adminSocket(), running.exposes(), fresh.allowFrom(),
                running.udpForwards());
    }

    /** What changed that takes a restart (the credential by name only: never its value). */
    static List<String> needRestart(ClientConfig running, ClientConfig fresh) {
        List<String> changes = new ArrayList<>();
        boolean one = running.upstreams().size() == 1 && fresh.upstreams().size() == 1; // (said as before there could be several)
        ConfigChanges.note(changes, "server", one ? running.upstream().label() : running.upstreams().stream().map(Upstream::label).toList(),
                one ? fresh.upstream().label() : fresh.upstreams().stream().map(Upstream::label).toList());
        ConfigChanges.note(changes, "TLS or plaintext", one ? running.transports().describe()
                : running.upstreams().stream().map(u -> u.transports().describe()).toList(),
                one ? fresh.transports().describe() : fresh.upstreams().stream().map(u -> u.transports().describe()).toList());
        if (!running.upstreams().stream().map(Upstream::credential).toList()
                .equals(fresh.upstreams().stream().map(Upstream::credential).toList())) {
            changes.add("credential");
        }
        ConfigChanges.note(changes, "session settings", running.session(), fresh.session());
        ConfigChanges.note(changes, "dead-after", running.link(), fresh.link());
        ConfigChanges.note(changes, "poll-interval", running.pollInterval(), fresh.pollInterval());
        ConfigChanges.note(changes, "prefer/exclude", running.paths(), fresh.paths());
        ConfigChanges.note(changes, "admin-socket", running.adminSocket(), fresh.adminSocket());
        ConfigChanges.note(changes, "expose", running.exposes(), fresh.exposes());
        ConfigChanges.note(changes, "forward-udp", running.udpForwards(), fresh.udpForwards());
        return changes;
    }
}
