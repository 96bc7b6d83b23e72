package io.roamtun.client;

import io.roamtun.client.uplink.Handover;
import io.roamtun.client.uplink.Uplink;
import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.PathChoice;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.session.Session;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.List;

/** The text {@code client-service status} shows. Built on the loop thread. */
final class StatusReport {
    private StatusReport() {}

    static String render(Uplink uplink, InterfacePoller poller) {
        StringBuilder out = new StringBuilder();
        Session session = uplink.session();
        PathChoice path = uplink.activePath();
        Link link = uplink.activeLink();
        out.append("uplink: ").append(uplink.state());
        if (link != null) {
            out.append(" via ").append(path != null ? path.toString() : "default route").append(", link ").append(link.name());
            if (link.lastRttNanos() >= 0) {
                out.append(String.format(", rtt %.2f ms", link.lastRttNanos() / 1e6));
            }
        }
        out.append('\n');
        out.append("session: ").append(session.id() != null ? session.id().shortHex() : "(not established)")
                .append(' ').append(session.state()).append(", ").append(session.streamCount()).append(" streams, ")
                .append(session.unacknowledgedBytes()).append(" bytes unacknowledged, resumed ")
                .append(session.resumes()).append(" times\n");
        if (uplink.roaming()) {
            out.append("interfaces (").append(poller != null ? poller.describe() : "scripted").append("):\n");
            for (InterfaceSnapshot nif : uplink.table().all()) {
                boolean inUse = path != null && path.interfaceName().equals(nif.name());
                out.append(inUse ? "  * " : "    ").append(nif).append(inUse ? "   [in use]" : "");
                if (nif.name().equals(uplink.pinned())) {
                    out.append("   [pinned by switch]");
                }
                long aside = uplink.setAsideMillis(nif.name());
                if (aside > 0) {
                    out.append("   [failed: set aside for ").append((aside + 999) / 1000).append(" s more]");
                }
                out.append('\n');
            }
        } else {
            out.append("interfaces: not watched (roaming off: the server is on loopback)\n");
        }
        List<String> exposes = uplink.exposes().describe();
        if (!exposes.isEmpty()) {
            out.append("exposed (reverse tunnels):\n");
            exposes.forEach(line -> out.append("  ").append(line).append('\n'));
        }
        List<String> streams = session.describeStreams();
        out.append("streams (").append(streams.size()).append("):\n");
        for (String line : streams) {
            out.append("  ").append(line).append('\n');
        }
        List<Handover> handovers = uplink.handovers();
        out.append("handovers (").append(uplink.handoverCount()).append(handovers.size() < uplink.handoverCount()
                ? ", the last " + handovers.size() : "").append("):\n");
        SimpleDateFormat time = new SimpleDateFormat("HH:mm:ss.SSS");
        for (Handover h : handovers) {
            out.append("  ").append(time.format(new Date(h.atEpochMillis()))).append(' ').append(h.describe()).append('\n');
        }
        return out.toString();
    }
}
