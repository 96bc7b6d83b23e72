package io.roamtun.engine.admin;

import java.util.Map;

/**
 * The counters and gauges one agent reports, the same in {@code status --json} and on {@code /metrics}:
 * taken on the loop thread, in one go, when asked.
 *
 * @param dataBytesOut  DATA bytes sent to the peer agent(s) since start (read from local sockets)
 * @param dataBytesIn   DATA bytes received from the peer agent(s) since start (written to local sockets)
 * @param streams       streams since start
 * @param streamsOpen   streams open now
 * @param sessionsOpen  sessions held now (server), one per server-service at most (client)
 * @param sessionsSuspended of those, without a link now
 * @param resumes       sessions resumed or moved since start (server: RESUMEs accepted; client: handovers)
 * @param refusals      refused since start, by kind (server: handshakes by GOAWAY code)
 * @param errors        links ended by an error since start, by code (server: a broken peer, a silent link)
 */
public record AgentFigures(long dataBytesOut, long dataBytesIn, long streams, long streamsOpen, long sessionsOpen,
                           long sessionsSuspended, long resumes, Map<String, Long> refusals, Map<String, Long> errors) {

    /** These and {@code other} added up (a client-service's uplinks to several servers); refusals and errors by kind. */
    public AgentFigures plus(AgentFigures other) {
        return new AgentFigures(dataBytesOut + other.dataBytesOut, dataBytesIn + other.dataBytesIn, streams + other.streams,
                streamsOpen + other.streamsOpen, sessionsOpen + other.sessionsOpen, sessionsSuspended + other.sessionsSuspended,
                resumes + other.resumes, sum(refusals, other.refusals), sum(errors, other.errors));
    }

    private static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> total = new java.util.TreeMap<>(a);
        b.forEach((kind, n) -> total.merge(kind, n, Long::sum));
        return total;
    }

    /** As a JSON-ready map (the "totals" of status --json). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("data_bytes_out", dataBytesOut);
        m.put("data_bytes_in", dataBytesIn);
        m.put("streams", streams);
        m.put("streams_open", streamsOpen);
        m.put("sessions_open", sessionsOpen);
        m.put("sessions_suspended", sessionsSuspended);
        m.put("resumes", resumes);
        m.put("refusals", refusals);
        m.put("link_errors", errors);
        return m;
    }
}
