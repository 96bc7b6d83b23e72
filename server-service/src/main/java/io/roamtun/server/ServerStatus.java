package io.roamtun.server;

import io.roamtun.engine.admin.AgentFigures;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.TrafficCounters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What 'server-service status' says, as text or JSON, and the figures /metrics serves. Loop thread. */
final class ServerStatus {
    private ServerStatus() {}

    static AgentFigures figures(SessionRegistry registry) {
        TrafficCounters traffic = registry.traffic();
        long suspended = registry.held().stream().filter(h -> h.session.link() == null).count();
        Map<String, Long> refusals = byName(registry.counts().refusals());
        refusals.put("STALE_OR_REPLAYED_RESUME", registry.counts().staleResumesRefused());
        return new AgentFigures(traffic.bytesOut(), traffic.bytesIn(), traffic.streams(), registry.openStreams(),
                registry.sessionCount(), suspended, registry.counts().resumes(), refusals, byName(registry.counts().linkErrors()));
    }

    private static Map<String, Long> byName(Map<io.roamtun.protocol.ErrorCode, Long> counts) {
        Map<String, Long> named = new TreeMap<>();
        counts.forEach((code, count) -> named.put(code.name(), count));
        return named;
    }

    private static long redirects(SessionRegistry registry) {
        return registry.counts().refusals().getOrDefault(io.roamtun.protocol.ErrorCode.REDIRECT, 0L);
    }

    static String text(SessionRegistry registry) {
        AgentFigures f = figures(registry);
        StringBuilder out = new StringBuilder();
        out.append(f.sessionsOpen()).append(" sessions (").append(f.sessionsSuspended()).append(" suspended), ")
                .append(f.streamsOpen()).append(" streams open; since start ").append(registry.counts().sessionsOpened())
                .append(" sessions opened, ").append(f.resumes()).append(" resumes, ").append(registry.counts().staleResumesRefused())
                .append(" stale or replayed RESUMEs refused, ").append(f.dataBytesIn()).append(" bytes from clients, ")
                .append(f.dataBytesOut()).append(" bytes to clients").append(registry.draining() ? "; DRAINING" : "").append('\n');
        if (registry.fleet() != null) {
            out.append("fleet ").append(registry.fleet()).append(": ").append(redirects(registry))
                    .append(" RESUMEs of other nodes' sessions redirected there").append(registry.draining()
                            ? "; sessions told to move their new streams to another node" : "").append('\n');
        }
        for (ServerSession held : registry.held()) {
            Session session = held.session;
            out.append("session ").append(session.label()).append(session.owner().isEmpty() ? "" : " client " + session.owner())
                    .append(' ').append(session.state()).append(session.link() != null ? " via " + session.link().name() : "")
                    .append(", opened ").append(held.opened).append(", ").append(session.streamCount()).append(" streams, ")
                    .append(session.traffic().bytesIn()).append(" bytes in, ").append(session.traffic().bytesOut())
                    .append(" bytes out, ").append(session.unacknowledgedBytes()).append(" bytes unacknowledged, resumed ")
                    .append(session.resumes()).append(" times");
            if (session.paths().linkCount() > 1) {
                out.append(", ").append(session.paths().linkCount()).append(" links (").append(session.paths().mode()).append(")");
            }
            out.append('\n');
            String datagrams = session.datagrams().describe();
            if (!datagrams.isEmpty()) {
                out.append("  ").append(datagrams).append('\n');
            }
        }
        for (String line : registry.exposed().describe()) {
            out.append("exposed ").append(line).append('\n');
        }
        return out.toString();
    }

    /**
     * The JSON of 'status --json': "totals" (the figures; "out" is to the clients, "in" from them) and a
     * record per session.
     */
    static Map<String, Object> json(SessionRegistry registry) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("agent", "server-service");
        root.put("draining", registry.draining());
        if (registry.fleet() != null) {
            root.put("node", registry.fleet().node());
            root.put("advertised", registry.fleet().advertised());
            root.put("redirects", redirects(registry));
        }
        root.put("sessions_opened", registry.counts().sessionsOpened());
        root.put("totals", figures(registry).asMap());
        List<Map<String, Object>> sessions = new ArrayList<>();
        for (ServerSession held : registry.held()) {
            Session session = held.session;
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("id", session.id() != null ? session.id().toString() : null);
            s.put("client", session.owner());
            s.put("state", session.state().name());
            s.put("link", session.link() != null ? session.link().name() : null);
            s.put("links", session.paths().linkCount());
            s.put("multipath", session.paths().mode() == null ? null : session.paths().mode().name().toLowerCase(java.util.Locale.ROOT));
            s.put("opened", held.opened.toString());
            s.put("streams_open", session.streamCount());
            s.put("streams", session.traffic().streams());
            s.put("data_bytes_from_client", session.traffic().bytesIn());
            s.put("data_bytes_to_client", session.traffic().bytesOut());
            s.put("unacknowledged_bytes", session.unacknowledgedBytes());
            s.put("resumes", session.resumes());
            s.put("datagrams_sent", session.datagrams().counters().sent());
            s.put("datagrams_received", session.datagrams().counters().received());
            s.put("datagrams_dropped_queue_full", session.datagrams().queue().droppedFull());
            s.put("datagrams_dropped_while_away", session.datagrams().queue().droppedWhileAway());
            sessions.add(s);
        }
        root.put("sessions", sessions);
        root.put("exposed", registry.exposed().asJson());
        return root;
    }
}
