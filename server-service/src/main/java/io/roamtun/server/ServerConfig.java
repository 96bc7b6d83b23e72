package io.roamtun.server;

import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Everything a server-service runs with.
 *
 * @param listen    where client-services connect
 * @param services        the backend services clients may open, by name
 * @param sessionTimeout  how long a suspended session (its link lost) is kept for its client to resume
 */
public record ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link,
                           Duration sessionTimeout) {
    /** How long a suspended session waits for its client by default. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(10);

    public ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link) {
        this(listen, services, session, link, DEFAULT_SESSION_TIMEOUT);
    }
}
