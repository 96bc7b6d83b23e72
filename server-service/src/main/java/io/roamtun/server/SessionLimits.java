package io.roamtun.server;

import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.text.Sizes;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whether a HELLO may open one more session: per client, in all, and in the agent's buffer memory. */
final class SessionLimits {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private SessionLimits() {}

    /**
     * Refuses (LIMIT_EXCEEDED, with a line in the log) a new session on {@code link} for client {@code owner}
     * (null without authentication) when it has {@code --max-sessions-per-client} already, the server has
     * {@code --max-sessions}, or the buffer memory has no room for another session's minimum.
     */
    static void admit(Link link, String owner, Collection<ServerSession> held, ServerConfig config, MemoryBudget budget)
            throws ProtocolException {
        if (owner != null) {
            long ofThisClient = held.stream().filter(h -> h.session.owner().equals(owner)).count();
            if (ofThisClient >= config.maxSessionsPerClient()) {
                log.warn("link {}: client {} already has {} sessions; refused", link.name(), owner, ofThisClient);
                throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "client " + owner + " already has "
                        + ofThisClient + " sessions (the limit)");
            }
        }
        if (held.size() >= config.maxSessions()) {
            log.warn("link {}: {} sessions open, the limit; refused", link.name(), held.size());
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "server has " + held.size() + " sessions (the limit)");
        }
        if (!budget.hasRoomForSession()) {
            log.warn("link {}: buffer memory is full ({} sessions hold their {} minimum of the {} budget); refused",
                    link.name(), held.size(), Sizes.format(budget.sessionMinimum()), Sizes.format(budget.limit()));
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "server buffer memory is full (" + held.size()
                    + " sessions; --max-buffer-memory " + Sizes.format(budget.limit()) + ")");
        }
    }
}
