package io.roamtun.client.uplink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every change of the link carrying the session: one log line each, and the last few for {@code status}. */
final class HandoverLog {
    private static final Logger log = LoggerFactory.getLogger(HandoverLog.class);
    static final int HISTORY = 50;

    private final ArrayDeque<Handover> recent = new ArrayDeque<>();
    private long count;

    void record(String sessionLabel, Handover handover) {
        recent.addLast(handover);
        count++;
        if (recent.size() > HISTORY) {
            recent.removeFirst();
        }
        log.info("session {} {}", sessionLabel, handover.describe());
    }

    /** Handovers since start (the history keeps only the last {@link #HISTORY}). */
    long count() {
        return count;
    }

    List<Handover> recent() {
        return new ArrayList<>(recent);
    }
}
