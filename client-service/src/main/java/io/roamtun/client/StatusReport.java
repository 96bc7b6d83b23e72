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

/**
 * The text {@code client-service status} shows: the uplink and session of each server (under a "server
 * NAME" heading when there are several), and the machine's one interface table. Built on the loop thread.
 */
final class StatusReport {
    private StatusReport() {}

    static String render(ServerUplinks uplinks, InterfacePoller poller) {
        StringBuilder out = new StringBuilder();
        if (!uplinks.several()) {
            Uplink uplink = uplinks.first();
            linkAndSession(uplink, "", out);
            interfaces(uplinks, poller, out);
            streamsAndHandovers(uplink, "", out);
            retiring(uplinks, out);
            return out.toString();
        }
        for (Uplink uplink : uplinks.current()) {
            out.append("server ").append(uplink.upstream().label()).append(":\n");
            linkAndSession(uplink, "  ", out);
            streamsAndHandovers(uplink, "  ", out);
        }
        retiring(uplinks, out);
        interfaces(uplinks, poller, out);
        return out.toString();
    }

    /** Sessions whose node drains, until their streams are done. */
    private static void retiring(ServerUplinks uplinks, StringBuilder out) {
        if (uplinks.handoffs() > 0) {
            out.append("moved off draining fleet nodes ").append(uplinks.handoffs()).append(" times since start\n");
        }
        for (Uplink old : uplinks.retiring()) {
            out.append("moving off a draining node").append(uplinks.several() ? " (server " + old.upstream().name() + ")" : "")
                    .append(": its open streams finish there, new ones go to the new session\n");
            linkAndSession(old, "  ", out);
        }
    }

    private static void linkAndSession(Uplink uplink, String indent, StringBuilder out) {
        Session session = uplink.session();
        PathChoice path = uplink.activePath();
        Link link = uplink.activeLink();
        out.append(indent).append("uplink: ").append(uplink.state());
        if (link != null) {
            out.append(" via ").append(path != null ? path.toString() : "default route").append(", link ").append(link.name());
            if (link.lastRttNanos() >= 0) {
                out.append(String.format(", rtt %.2f ms", link.lastRttNanos() / 1e6));
            }
        }
        out.append('\n');
        out.append(indent).append("session: ").append(session.id() != null ? session.id().shortHex() : "(not established)")
                .append(' ').append(session.state()).append(", ").append(session.streamCount()).append(" streams, ")
                .append(session.unacknowledgedBytes()).append(" bytes unacknowledged, resumed ")
                .append(session.resumes()).append(" times");
        if (session.fleetTicket() != null) {
            out.append(", held by fleet ").append(session.fleetTicket()).append(" (").append(uplink.redirects()).append(" redirects since start)");
        }
        out.append('\n');
        List<io.roamtun.engine.session.PathFigures> paths = session.paths().figures();
        out.append(indent).append("multipath: ").append(uplink.multipathDescription()).append('\n');
        if (paths.size() > 1) {
            for (io.roamtun.engine.session.PathFigures p : paths) {
                out.append(indent).append(String.format(java.util.Locale.ROOT, "  %s %s%s: %s, rtt %s, %s/s, loss %.1f%%, %d bytes sent%s%n",
                        p.place(), p.link(), p.metered() ? " (metered)" : "", p.role(),
                        p.rttNanos() < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.2f ms", p.rttNanos() / 1e6),
                        io.roamtun.engine.text.Sizes.format(p.bytesPerSecond()), p.lossPercent(), p.bytesWritten(),
                        p.copiesSkipped() > 0 ? ", " + p.copiesSkipped() + " bytes not copied (over --redundant-max)" : ""));
            }
        }
    }

    /** The table, each interface marked with the uplinks that use it ("[in use]" when there is one server). */
    private static void interfaces(ServerUplinks uplinks, InterfacePoller poller, StringBuilder out) {
        if (!uplinks.roaming()) {
            out.append("interfaces: not watched (roaming off: the server is on loopback)\n");
            return;
        }
        out.append("interfaces (").append(poller != null ? poller.describe() : "scripted").append("):\n");
        for (InterfaceSnapshot nif : uplinks.table().all()) {
            List<String> users = uplinks.current().stream().filter(u -> u.activePath() != null
                    && u.activePath().interfaceName().equals(nif.name())).map(u -> u.upstream().name()).toList();
            out.append(users.isEmpty() ? "    " : "  * ").append(nif);
            if (!users.isEmpty()) {
                out.append(uplinks.several() ? "   [in use by " + String.join(", ", users) + "]" : "   [in use]");
            }
            if (uplinks.all().stream().anyMatch(u -> nif.name().equals(u.pinned()))) {
                out.append("   [pinned by switch]");
            }
            for (Uplink u : uplinks.all()) {
                long aside = u.setAsideMillis(nif.name());
                if (aside > 0) {
                    out.append("   [failed").append(uplinks.several() ? " for " + u.upstream().name() : "")
                            .append(": set aside for ").append((aside + 999) / 1000).append(" s more]");
                }
            }
            out.append('\n');
        }
    }

    private static void streamsAndHandovers(Uplink uplink, String indent, StringBuilder out) {
        List<String> exposes = uplink.exposes().describe();
        if (!exposes.isEmpty()) {
            out.append(indent).append("exposed (reverse tunnels):\n");
            exposes.forEach(line -> out.append(indent).append("  ").append(line).append('\n'));
        }
        List<String> streams = uplink.session().describeStreams();
        out.append(indent).append("streams (").append(streams.size()).append("):\n");
        for (String line : streams) {
            out.append(indent).append("  ").append(line).append('\n');
        }
        List<Handover> handovers = uplink.handovers();
        out.append(indent).append("handovers (").append(uplink.handoverCount()).append(handovers.size() < uplink.handoverCount()
                ? ", the last " + handovers.size() : "").append("):\n");
        SimpleDateFormat time = new SimpleDateFormat("HH:mm:ss.SSS");
        for (Handover h : handovers) {
            out.append(indent).append("  ").append(time.format(new Date(h.atEpochMillis()))).append(' ').append(h.describe()).append('\n');
        }
    }
}
