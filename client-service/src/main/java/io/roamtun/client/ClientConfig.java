package io.roamtun.client;

import io.roamtun.client.paths.InterfaceSource;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.protocol.ServiceNames;
import io.roamtun.engine.transport.TransportFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a client-service runs with.
 *
 * @param upstreams     the server-services to keep a session with, one uplink each (one, unnamed, in the
 *                      simple case); the per-server view an uplink runs with has exactly one ({@link #forUpstream})
 * @param forwards      local ports and the services they stand in for
 * @param interfaces    where the interface table comes from; null turns roaming off (the OS picks the route)
 * @param pollInterval  how often the interface table is read
 * @param paths         which interfaces the uplinks may use, in which order
 * @param adminSocket   the Unix socket for {@code status} and {@code switch}; null for none
 * @param exposes       ports the servers listen on for this client, and where their streams go here
 * @param allowFrom     who may connect to the forwards besides this machine (gateway mode)
 * @param udpForwards   local UDP ports that stand in for the servers' UDP services
 */
public record ClientConfig(List<Upstream> upstreams, List<Forward> forwards, SessionSettings session, LinkSettings link,
                           InterfaceSource interfaces, Duration pollInterval, PathPolicy paths, Path adminSocket,
                           List<Expose> exposes, SourceFilter allowFrom, List<UdpForward> udpForwards) {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    public ClientConfig {
        upstreams = List.copyOf(upstreams);
        if (upstreams.isEmpty() || (upstreams.size() > 1 && upstreams.stream().anyMatch(u -> u.name().isEmpty()))
                || upstreams.stream().map(Upstream::name).distinct().count() != upstreams.size()) {
            throw new IllegalArgumentException("one unnamed server, or servers with distinct names: " + upstreams);
        }
        forwards = List.copyOf(forwards);
        exposes = exposes == null ? List.of() : List.copyOf(exposes);
        allowFrom = allowFrom == null ? SourceFilter.loopbackOnly() : allowFrom;
        udpForwards = udpForwards == null ? List.of() : List.copyOf(udpForwards);
        List<String> named = new java.util.ArrayList<>();
        forwards.forEach(f -> named.add(f.server()));
        udpForwards.forEach(f -> named.add(f.server()));
        exposes.forEach(e -> named.add(e.server()));
        List<Upstream> servers = upstreams;
        for (String server : named) {
            if (servers.stream().noneMatch(u -> u.serves(server, servers.size()))) {
                throw new IllegalArgumentException("a forward or expose names server '" + server + "', not one of "
                        + servers.stream().map(Upstream::label).toList());
            }
        }
    }

    /** One unnamed server. */
    public ClientConfig(InetSocketAddress server, List<Forward> forwards, SessionSettings session, LinkSettings link,
                        InterfaceSource interfaces, Duration pollInterval, PathPolicy paths, Path adminSocket,
                        TransportFactory transports, String credential, List<Expose> exposes, SourceFilter allowFrom,
                        List<UdpForward> udpForwards) {
        this(List.of(new Upstream("", server, transports, credential)), forwards, session, link, interfaces, pollInterval,
                paths, adminSocket, exposes, allowFrom, udpForwards);
    }

    /** One unnamed server, without reverse tunnels. */
    public ClientConfig(InetSocketAddress server, List<Forward> forwards, SessionSettings session, LinkSettings link,
                        InterfaceSource interfaces, Duration pollInterval, PathPolicy paths, Path adminSocket,
                        TransportFactory transports, String credential) {
        this(server, forwards, session, link, interfaces, pollInterval, paths, adminSocket, transports, credential, List.of(), null, null);
    }

    /** The (first) server: in the view an uplink runs with, its only one. */
    public Upstream upstream() {
        return upstreams.get(0);
    }

    public InetSocketAddress server() {
        return upstream().address();
    }

    public TransportFactory transports() {
        return upstream().transports();
    }

    public String credential() {
        return upstream().credential();
    }

    /**
     * What the uplink to {@code server} runs with: that server only, with the forwards and exposes that name
     * it, and the interface table unless the server does not roam.
     */
    public ClientConfig forUpstream(Upstream server) {
        int count = upstreams.size();
        return new ClientConfig(List.of(server), forwards.stream().filter(f -> server.serves(f.server(), count)).toList(),
                session, link, server.roams() ? interfaces : null, pollInterval, paths, adminSocket,
                exposes.stream().filter(e -> server.serves(e.server(), count)).toList(), allowFrom,
                udpForwards.stream().filter(f -> server.serves(f.server(), count)).toList());
    }

    /** This configuration with {@code reverse} as its reverse tunnels. */
    public ClientConfig exposing(List<Expose> reverse) {
        return new ClientConfig(upstreams, forwards, session, link, interfaces, pollInterval, paths, adminSocket, reverse,
                allowFrom, udpForwards);
    }

    /** This configuration with {@code udp} as its UDP forwards. */
    public ClientConfig forwardingUdp(List<UdpForward> udp) {
        return new ClientConfig(upstreams, forwards, session, link, interfaces, pollInterval, paths, adminSocket, exposes,
                allowFrom, udp);
    }

    /** The TCP ports the HELLO asks the server to listen on. */
    public List<Integer> exposePorts() {
        return exposes.stream().filter(e -> !e.udp()).map(Expose::port).toList();
    }

    /** The UDP ports the HELLO asks the server to listen on. */
    public List<Integer> udpExposePorts() {
        return exposes.stream().filter(Expose::udp).map(Expose::port).toList();
    }

    /** Where the server's reverse streams go: the service of each exposed TCP port, and its local target. */
    public ServiceDirectory exposeDirectory() {
        return exposeDirectory(false);
    }

    /** Where the server's reverse UDP flows go: the service of each exposed UDP port, and its local target. */
    public ServiceDirectory udpExposeDirectory() {
        return exposeDirectory(true);
    }

    private ServiceDirectory exposeDirectory(boolean udp) {
        java.util.Map<String, InetSocketAddress> targets = new java.util.LinkedHashMap<>();
        exposes.stream().filter(e -> e.udp() == udp).forEach(e -> targets.put(
                udp ? ServiceNames.exposedUdp(e.port()) : ServiceNames.exposed(e.port()), e.target()));
        return new ServiceDirectory(targets);
    }

    /** No roaming, no admin socket, plaintext: a plain tunnel for tests on loopback. */
    public ClientConfig(InetSocketAddress server, List<Forward> forwards, SessionSettings session, LinkSettings link) {
        this(server, forwards, session, link, null, DEFAULT_POLL_INTERVAL, PathPolicy.any(), null);
    }

    /** Plaintext, no credential: for tests on loopback. */
    public ClientConfig(InetSocketAddress server, List<Forward> forwards, SessionSettings session, LinkSettings link,
                        InterfaceSource interfaces, Duration pollInterval, PathPolicy paths, Path adminSocket) {
        this(server, forwards, session, link, interfaces, pollInterval, paths, adminSocket, TransportFactory.plaintext(), "");
    }
}
