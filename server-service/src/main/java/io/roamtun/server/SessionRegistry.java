package io.roamtun.server;

import io.roamtun.engine.EngineContext;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkListener;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.session.SessionListener;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server's sessions: made on HELLO, forgotten when they close. Loop thread only. */
final class SessionRegistry implements LinkListener, SessionListener {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private final EngineContext engine;
    private final ServerConfig config;
    private final Set<Session> sessions = new LinkedHashSet<>();
    private final Set<Link> links = new LinkedHashSet<>();
    private long sessionsOpened;

    SessionRegistry(EngineContext engine, ServerConfig config) {
        this.engine = engine;
        this.config = config;
    }

    void add(Link link) {
        links.add(link);
    }

    @Override
    public void onHello(Link link, Hello hello) throws ProtocolException {
        Session session = new Session(engine.loop(), Role.SERVER, config.session(), engine.segments(), engine.chunks(),
                config.services(), this, link.name());
        Welcome welcome = session.acceptHello(hello, link);
        sessions.add(session);
        sessionsOpened++;
        log.info("session {} opened from {} (version {}, {})", welcome.sessionId().shortHex(), link.name(),
                welcome.version(), link.transport().describe());
    }

    @Override
    public void onLinkClosed(Link link, ErrorCode code, String reason, boolean byPeer) {
        links.remove(link);
        log.debug("link {} closed: {} {}", link.name(), code, reason);
    }

    @Override
    public void onSessionClosed(Session session, String reason) {
        sessions.remove(session);
    }

    int sessionCount() {
        return sessions.size();
    }

    long sessionsOpened() {
        return sessionsOpened;
    }

    int streamCount() {
        int n = 0;
        for (Session s : sessions) {
            n += s.streamCount();
        }
        return n;
    }

    /** Says goodbye to every link and ends every session. */
    void shutdown() {
        for (Link link : new ArrayList<>(links)) {
            link.close(ErrorCode.SHUTTING_DOWN, "server-service is shutting down");
        }
        List<Session> all = new ArrayList<>(sessions);
        for (Session s : all) {
            s.close("server shutting down", true);
        }
    }
}
