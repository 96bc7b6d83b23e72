package io.roamtun.client;

import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.transport.TransportFactory;
import java.net.InetSocketAddress;

/**
 * One server-service this client-service keeps a session with: its name ({@code --server NAME=HOST:PORT};
 * empty for the single unnamed {@code --server HOST:PORT}), where it is, how it is trusted, and the
 * credential shown to it ("NAME:SECRET", or empty). {@code roams} false keeps its uplink off the interface
 * table: a server on this machine is reached over loopback whatever the interfaces do.
 */
public record Upstream(String name, InetSocketAddress address, TransportFactory transports, String credential, boolean roams) {

    public Upstream {
        name = name == null ? "" : name;
        credential = credential == null ? "" : credential;
    }

    /** One whose uplink roams when the client-service has an interface table. */
    public Upstream(String name, InetSocketAddress address, TransportFactory transports, String credential) {
        this(name, address, transports, credential, true);
    }

    /** A server's name: letters, digits, '_' and '-', up to 64 (no dot: the config file's groups are server.NAME.KEY). */
    public static boolean isName(String name) {
        return name.matches("[A-Za-z0-9_-]{1,64}");
    }

    /** Whether a forward or expose naming {@code server} ("" for none) goes to this server, one of {@code count}. */
    boolean serves(String server, int count) {
        return server.equals(name) || (server.isEmpty() && count == 1);
    }

    /** For logs and status: "home (203.0.113.5:7000)", or just the address when unnamed. */
    public String label() {
        return name.isEmpty() ? HostPort.format(address) : name + " (" + HostPort.format(address) + ")";
    }
}
