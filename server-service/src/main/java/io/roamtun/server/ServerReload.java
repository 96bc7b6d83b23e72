package io.roamtun.server;

import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.text.HostPort;
import java.net.InetSocketAddress;
import io.roamtun.engine.config.ConfigChanges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a reload (SIGHUP) of the server's configuration changes. Services, session and stream limits, the
 * session timeout and the settings of new sessions apply at once (new sessions and new streams; open streams
 * are never touched); the listen address, TLS and the clients file's directory, the link timing, the
 * handshake limits and the stream quota were fixed at start: a change of those is named and kept for the
 * next start.
 */
final class ServerReload {
    private ServerReload() {}

    /** The configuration to run with: {@code fresh}'s changeable parts over {@code running}'s fixed ones. */
    static ServerConfig merge(ServerConfig running, ServerConfig fresh) {
        return new ServerConfig(running.listen(), fresh.services(), sessionsFrom(running, fresh), running.link(), fresh.sessionTimeout(),
                running.transports(), running.clients(), fresh.maxSessions(), fresh.maxSessionsPerClient(),
                running.maxPendingLinks(), running.maxPendingPerAddress(), running.maxStreamsPerClient(), fresh.expose(),
                fresh.udpServices(), running.fleet());
    }

    /** The settings of new sessions from {@code fresh}, with the buffer budget the agent was started with. */
    private static SessionSettings sessionsFrom(ServerConfig running, ServerConfig fresh) {
        SessionSettings f = fresh.session();
        return new SessionSettings(f.replayBufferBytes(), f.streamWindow(), f.maxStreams(), f.connectTimeout(),
                running.session().bufferMemory());
    }

    /** What changed that applies now, for the log: e.g. "service web added; max-sessions 4096 -> 100". */
    static List<String> applied(ServerConfig running, ServerConfig fresh) {
        List<String> changes = new ArrayList<>();
        Map<String, InetSocketAddress> before = new TreeMap<>(running.services().asMap());
        Map<String, InetSocketAddress> after = new TreeMap<>(fresh.services().asMap());
        after.forEach((name, target) -> {
            InetSocketAddress old = before.get(name);
            if (old == null) {
                changes.add("service " + name + " added (" + HostPort.format(target) + ")");
            } else if (!old.equals(target)) {
                changes.add("service " + name + " now " + HostPort.format(target) + " (was " + HostPort.format(old) + ")");
            }
        });
        before.keySet().stream().filter(name -> !after.containsKey(name))
                .forEach(name -> changes.add("service " + name + " removed (its open streams carry on)"));
        ConfigChanges.note(changes, "max-sessions", running.maxSessions(), fresh.maxSessions());
        ConfigChanges.note(changes, "allow-expose / expose-address-pool (for new sessions)", running.expose(), fresh.expose());
        ConfigChanges.note(changes, "udp-service", running.udpServices().asMap(), fresh.udpServices().asMap());
        ConfigChanges.note(changes, "max-sessions-per-client", running.maxSessionsPerClient(), fresh.maxSessionsPerClient());
        ConfigChanges.note(changes, "session-timeout", running.sessionTimeout(), fresh.sessionTimeout());
        ConfigChanges.note(changes, "settings of new sessions", running.session(), sessionsFrom(running, fresh));
        return changes;
    }

    /** What changed that takes a restart (kept as it was). */
    static List<String> needRestart(ServerConfig running, ServerConfig fresh) {
        List<String> changes = new ArrayList<>();
        ConfigChanges.note(changes, "listen", running.listen(), fresh.listen());
        ConfigChanges.note(changes, "TLS or plaintext", running.transports().describe(), fresh.transports().describe());
        ConfigChanges.note(changes, "dir (clients file)", running.clients() == null ? null : running.clients().file(),
                fresh.clients() == null ? null : fresh.clients().file());
        ConfigChanges.note(changes, "dead-after", running.link(), fresh.link());
        ConfigChanges.note(changes, "max-buffer-memory", running.session().bufferMemory(), fresh.session().bufferMemory());
        ConfigChanges.note(changes, "max-pending", running.maxPendingLinks(), fresh.maxPendingLinks());
        ConfigChanges.note(changes, "max-pending-per-address", running.maxPendingPerAddress(), fresh.maxPendingPerAddress());
        ConfigChanges.note(changes, "max-streams-per-client", running.maxStreamsPerClient(), fresh.maxStreamsPerClient());
        ConfigChanges.note(changes, "node-id/advertise", String.valueOf(running.fleet()), String.valueOf(fresh.fleet()));
        return changes;
    }
}
