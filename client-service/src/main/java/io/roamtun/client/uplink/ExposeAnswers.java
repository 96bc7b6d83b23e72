package io.roamtun.client.uplink;

import io.roamtun.client.Expose;
import io.roamtun.engine.text.HostPort;
import io.roamtun.protocol.Capabilities;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ExposeResult;
import io.roamtun.protocol.Welcome;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server answered to each {@code --expose} in the session's WELCOME: where it listens for this
 * client, or why it does not. Logged once per session, kept for status. Loop thread.
 */
public final class ExposeAnswers {
    private static final Logger log = LoggerFactory.getLogger(ExposeAnswers.class);

    private final List<Expose> asked;
    /** By exposure, in the order asked; empty before the first WELCOME. */
    private final Map<Expose, String> answers = new LinkedHashMap<>();

    ExposeAnswers(List<Expose> asked) {
        this.asked = asked;
    }

    void answered(Welcome welcome) {
        answers.clear();
        if (asked.isEmpty()) {
            return;
        }
        if (!Capabilities.has(welcome.capabilities(), Capabilities.REVERSE_STREAMS)) {
            log.error("the server-service{} does not support reverse tunnels (an older version): no --expose is served",
                    asked.get(0).server().isEmpty() ? "" : " " + asked.get(0).server());
            asked.forEach(e -> answers.put(e, "not supported by the server"));
            return;
        }
        Map<Integer, ExposeResult> tcp = new LinkedHashMap<>();
        welcome.exposes().forEach(r -> tcp.put(r.port(), r));
        Map<Integer, ExposeResult> udp = new LinkedHashMap<>();
        welcome.udpExposes().forEach(r -> udp.put(r.port(), r));
        for (Expose expose : asked) {
            ExposeResult r = (expose.udp() ? udp : tcp).get(expose.port());
            String flag = expose.udp() ? "--expose-udp" : "--expose";
            String answer;
            if (r != null && r.listening()) {
                answer = "server listens on " + (expose.udp() ? "udp " : "") + HostPort.format(new InetSocketAddress(r.address(), r.port()));
                log.info("{} {}: the {}; {} there reach {}", flag, expose.serverPort(), answer, expose.udp() ? "datagrams" : "connections",
                        HostPort.format(expose.target()));
            } else {
                answer = "refused: " + (r == null ? "the server did not answer it" : why(r.result()));
                log.error("{} {}: {}", flag, expose.serverPort(), answer);
            }
            answers.put(expose, answer);
        }
    }

    private static String why(ErrorCode code) {
        return switch (code) {
            case EXPOSE_NOT_ALLOWED -> "the server does not allow this client that port (server-service --allow-expose, "
                    + "or 'server-service client add NAME --expose PORTS')";
            case PORT_IN_USE -> "the port is in use on the server (another client's reverse tunnel, or another program)";
            case LIMIT_EXCEEDED -> "the server has no address left for this client (its --expose-address-pool is used up)";
            default -> code.name();
        };
    }

    /** "PORT=TARGET: answer" lines, for status. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Expose expose : asked) {
            lines.add(expose + ": " + answers.getOrDefault(expose, "waiting for a session"));
        }
        return lines;
    }

    /** For 'status --json'. */
    public List<Map<String, Object>> asJson() {
        List<Map<String, Object>> all = new ArrayList<>();
        for (Expose expose : asked) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("protocol", expose.udp() ? "udp" : "tcp");
            m.put("port", expose.port());
            if (!expose.server().isEmpty()) {
                m.put("server", expose.server());
            }
            m.put("to", HostPort.format(expose.target()));
            m.put("answer", answers.getOrDefault(expose, "waiting for a session"));
            all.add(m);
        }
        return all;
    }
}
