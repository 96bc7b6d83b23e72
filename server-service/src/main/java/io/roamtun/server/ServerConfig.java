package io.roamtun.server;

import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.transport.TransportFactory;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Everything a server-service runs with.
 *
 * @param listen               where client-services connect
 * @param services             the backend services clients may open, by name
 * @param sessionTimeout       how long a suspended session (its link lost) is kept for its client to resume
 * @param transports           TLS (the default) or plaintext
 * @param clients              who may connect; null when anyone may (plaintext test setups only)
 * @param maxSessions          sessions at once, all clients together
 * @param maxSessionsPerClient sessions at once for one client
 * @param maxPendingLinks      connections still in their handshake at once (slowloris, half-open floods)
 * @param maxPendingPerAddress of those, from one source address; beyond it that address's oldest goes
 * @param maxStreamsPerClient  streams one client's sessions may have the server connect at once; 0 for
 *                             three quarters of what the descriptor limit allows in all
 * @param expose               the ports any client may ask the server to listen on for it (reverse streams;
 *                             a client's own line in the clients file may add more), and the addresses to
 *                             listen on
 * @param udpServices          the UDP services clients' flows may reach, by name ({@code --udp-service})
 * @param fleet                this server as a node of a fleet ({@code --node-id}, {@code --advertise}), or null
 */
public record ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link,
                           Duration sessionTimeout, TransportFactory transports, ClientCredentials clients,
                           int maxSessions, int maxSessionsPerClient, int maxPendingLinks, int maxPendingPerAddress,
                           int maxStreamsPerClient, ExposePolicy expose,
                           ServiceDirectory udpServices, FleetNode fleet) {
    public ServerConfig {
        expose = expose == null ? ExposePolicy.NONE : expose;
        udpServices = udpServices == null ? ServiceDirectory.empty() : udpServices;
    }

    /** Not in a fleet. */
    public ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link,
                        Duration sessionTimeout, TransportFactory transports, ClientCredentials clients,
                        int maxSessions, int maxSessionsPerClient, int maxPendingLinks, int maxPendingPerAddress,
                        int maxStreamsPerClient, ExposePolicy expose, ServiceDirectory udpServices) {
        this(listen, services, session, link, sessionTimeout, transports, clients, maxSessions, maxSessionsPerClient,
                maxPendingLinks, maxPendingPerAddress, maxStreamsPerClient, expose, udpServices, null);
    }

    /** No port may be exposed but those the clients file grants. */
    public ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link,
                        Duration sessionTimeout, TransportFactory transports, ClientCredentials clients,
                        int maxSessions, int maxSessionsPerClient, int maxPendingLinks, int maxPendingPerAddress,
                        int maxStreamsPerClient) {
        this(listen, services, session, link, sessionTimeout, transports, clients, maxSessions, maxSessionsPerClient,
                maxPendingLinks, maxPendingPerAddress, maxStreamsPerClient, ExposePolicy.NONE, null);
    }

    /** This configuration with {@code ports} open to every client's exposes, on 127.0.0.1. */
    public ServerConfig allowingExpose(PortRanges ports) {
        return allowingExpose(new ExposePolicy(ports, null));
    }

    /** This configuration with {@code policy} for reverse tunnels. */
    public ServerConfig allowingExpose(ExposePolicy policy) {
        return new ServerConfig(listen, services, session, link, sessionTimeout, transports, clients, maxSessions,
                maxSessionsPerClient, maxPendingLinks, maxPendingPerAddress, maxStreamsPerClient, policy, udpServices, fleet);
    }

    /** This configuration with {@code udp} as its UDP services. */
    public ServerConfig withUdpServices(ServiceDirectory udp) {
        return new ServerConfig(listen, services, session, link, sessionTimeout, transports, clients, maxSessions,
                maxSessionsPerClient, maxPendingLinks, maxPendingPerAddress, maxStreamsPerClient, expose, udp, fleet);
    }

    /** How long a suspended session waits for its client by default. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_SESSIONS = 4096;
    public static final int DEFAULT_MAX_SESSIONS_PER_CLIENT = 16;
    public static final int DEFAULT_MAX_PENDING_LINKS = 2048;

    /** One source address's share of the handshakes by default: an eighth of the whole, at least 4. */
    public static int defaultMaxPendingPerAddress(int maxPendingLinks) {
        return Math.max(4, maxPendingLinks / 8);
    }

    /** With the default share of handshakes per source address. */
    public ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link,
                        Duration sessionTimeout, TransportFactory transports, ClientCredentials clients,
                        int maxSessions, int maxSessionsPerClient, int maxPendingLinks) {
        this(listen, services, session, link, sessionTimeout, transports, clients, maxSessions, maxSessionsPerClient,
                maxPendingLinks, defaultMaxPendingPerAddress(maxPendingLinks), 0);
    }

    /** Plaintext, no authentication: for tests on loopback. */
    public ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link) {
        this(listen, services, session, link, DEFAULT_SESSION_TIMEOUT);
    }

    public ServerConfig(InetSocketAddress listen, ServiceDirectory services, SessionSettings session, LinkSettings link,
                        Duration sessionTimeout) {
        this(listen, services, session, link, sessionTimeout, TransportFactory.plaintext(), null,
                DEFAULT_MAX_SESSIONS, DEFAULT_MAX_SESSIONS_PER_CLIENT, DEFAULT_MAX_PENDING_LINKS);
    }
}
