package io.roamtun.client;

import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Everything a client-service runs with.
 *
 * @param server    the server-service to connect to
 * @param forwards  local ports and the services they stand in for
 */
public record ClientConfig(InetSocketAddress server, List<Forward> forwards, SessionSettings session, LinkSettings link) {
    public ClientConfig {
        forwards = List.copyOf(forwards);
    }
}
