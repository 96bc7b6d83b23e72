package io.roamtun.client;

import io.roamtun.client.uplink.Handover;
import io.roamtun.client.uplink.Uplink;
import io.roamtun.engine.admin.AgentFigures;
import io.roamtun.engine.session.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The figures of a client-service, and the JSON of 'client-service status --json'. Loop thread. */
final class ClientStatusJson {
    private ClientStatusJson() {}

    /**
     * Counts of the uplink's current session ("out": to the server); resumes are handovers since start;
     * {@code refusedSources}: app connections turned away by --allow-from, a refusal kind of their own.
     */
    static AgentFigures figures(Uplink uplink, long refusedSources) {
        Session session = uplink.session();
        boolean established = session.id() != null;
        return new AgentFigures(session.traffic().bytesOut(), session.traffic().bytesIn(), session.traffic().streams(),
                session.streamCount(), established ? 1 : 0, established && session.link() == null ? 1 : 0,
                uplink.handoverCount(), refusedSources > 0 ? Map.of("SOURCE_NOT_ALLOWED", refusedSources) : Map.of(), Map.of());
    }

    /**
     * The status of every server's uplink under "servers" (in the order given); with one server, its fields
     * are also at the top, as before there could be several.
     */
    static Map<String, Object> json(ServerUplinks uplinks, long refusedSources) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("agent", "client-service");
        List<Map<String, Object>> servers = uplinks.current().stream().map(ClientStatusJson::server).toList();
        if (!uplinks.several()) {
            root.putAll(servers.get(0));
        }
        root.put("servers", servers);
        root.put("retiring", uplinks.retiring().stream().map(ClientStatusJson::server).toList()); // sessions of draining nodes
        root.put("handoffs", uplinks.handoffs());
        root.put("totals", uplinks.figures(refusedSources).asMap());
        return root;
    }

    private static Map<String, Object> server(Uplink uplink) {
        Session session = uplink.session();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("server", uplink.upstream().name());
        root.put("address", io.roamtun.engine.text.HostPort.format(uplink.upstream().address()));
        root.put("uplink", uplink.state().name());
        root.put("interface", uplink.activePath() != null ? uplink.activePath().interfaceName() : null);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", session.id() != null ? session.id().toString() : null);
        s.put("state", session.state().name());
        s.put("link", session.link() != null ? session.link().name() : null);
        s.put("streams_open", session.streamCount());
        s.put("streams", session.traffic().streams());
        s.put("data_bytes_to_server", session.traffic().bytesOut());
        s.put("data_bytes_from_server", session.traffic().bytesIn());
        s.put("unacknowledged_bytes", session.unacknowledgedBytes());
        s.put("resumes", session.resumes());
        s.put("node", session.fleetTicket() == null ? null : session.fleetTicket().node());
        s.put("node_address", session.fleetTicket() == null ? null : session.fleetTicket().address());
        root.put("session", s);
        root.put("multipath", uplink.multipathDescription());
        List<Map<String, Object>> paths = new ArrayList<>();
        for (io.roamtun.engine.session.PathFigures p : session.paths().figures()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("link", p.link());
            m.put("place", p.place());
            m.put("role", p.role());
            m.put("metered", p.metered());
            m.put("rtt_ms", p.rttNanos() < 0 ? null : p.rttNanos() / 1e6);
            m.put("bytes_per_second", p.bytesPerSecond());
            m.put("bytes_written", p.bytesWritten());
            m.put("loss_percent", p.lossPercent());
            m.put("copies_skipped_bytes", p.copiesSkipped());
            paths.add(m);
        }
        root.put("paths", paths);
        root.put("redirects", uplink.redirects());
        root.put("exposed", uplink.exposes().asJson());
        List<Map<String, Object>> handovers = new ArrayList<>();
        for (Handover h : uplink.handovers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", h.from());
            m.put("to", h.to());
            m.put("cause", h.cause());
            m.put("planned", h.planned());
            m.put("pause_ms", h.pauseMillis());
            m.put("resent_to_server", h.resentToServer());
            m.put("resent_by_server", h.resentByServer());
            m.put("at", Instant.ofEpochMilli(h.atEpochMillis()).toString());
            handovers.add(m);
        }
        root.put("handovers_since_start", uplink.handoverCount());
        root.put("handovers", handovers);
        return root;
    }
}
