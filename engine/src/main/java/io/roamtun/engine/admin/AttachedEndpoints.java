package io.roamtun.engine.admin;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What an agent closes along with itself besides its loop: its admin socket, its metrics endpoint. Any thread. */
public final class AttachedEndpoints {
    private static final Logger log = LoggerFactory.getLogger(AttachedEndpoints.class);

    private final List<AutoCloseable> endpoints = new CopyOnWriteArrayList<>();

    public void attach(AutoCloseable endpoint) {
        endpoints.add(endpoint);
    }

    /** Closes each, a failure of one (logged at debug) not keeping the others open. */
    public void closeAll() {
        for (AutoCloseable endpoint : endpoints) {
            try {
                endpoint.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", endpoint, e.getMessage());
            }
        }
        endpoints.clear();
    }
}
