package io.roamtun.server;

import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import java.net.InetSocketAddress;

/**
 * Everything a server-service runs with.
 *
 * @param listen    where client-services connect
 * @param services  the backend services clients may open, by name
 */
public record ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link) {}
