package io.roamtun.client;

import io.roamtun.engine.config.AgentCommandLine;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.IoErrors;
import io.roamtun.engine.text.UsageException;
import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.engine.transport.TransportFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * The server-services of the command line and their trust and credentials: one {@code --server HOST:PORT},
 * or several {@code --server NAME=HOST:PORT} (or {@code server.NAME = HOST:PORT} groups in the config file);
 * {@code --server-fingerprint}, {@code --server-ca}, {@code --credential} and {@code --credential-file}
 * take {@code NAME=} before the value for one server, and without it apply to every server not named.
 */
final class UpstreamOptions {
    /** The flags that can be given per server, and their key in a config file's {@code server.NAME} group. */
    static final Map<String, String> PER_SERVER = Map.of("server-fingerprint", "fingerprint", "server-ca", "ca",
            "credential", "credential", "credential-file", "credential-file");

    private UpstreamOptions() {}

    /** The servers by name ("" for the one unnamed), in the order given, their HOST:PORT syntax checked. */
    static Map<String, String> servers(AgentCommandLine cli) throws UsageException {
        Map<String, String> servers = new LinkedHashMap<>();
        for (String value : cli.values("server")) {
            int eq = value.indexOf('=');
            String name = eq > 0 ? value.substring(0, eq).trim() : "";
            if (eq > 0 && !Upstream.isName(name)) {
                throw new UsageException("--server: '" + name + "' is not a server name (letters, digits, '_', '-')");
            }
            add(servers, name, eq > 0 ? value.substring(eq + 1).trim() : value);
        }
        for (Map.Entry<String, String> group : cli.group("server", null).entrySet()) {
            if (!Upstream.isName(group.getKey())) {
                throw new UsageException("--config: server." + group.getKey() + ": not a server name (letters, digits, '_', '-')");
            }
            if (!servers.containsKey(group.getKey())) { // a --server flag of that name wins over the file
                add(servers, group.getKey(), group.getValue());
            }
        }
        if (servers.isEmpty()) {
            throw new UsageException("--server is required (see client-service --help)");
        }
        if (servers.size() > 1 && servers.containsKey("")) {
            throw new UsageException("--server: with several servers, name each one: --server NAME=HOST:PORT");
        }
        return servers;
    }

    private static void add(Map<String, String> servers, String name, String spec) throws UsageException {
        String flag = name.isEmpty() ? "--server" : "--server " + name;
        HostPort.checkSyntax(flag, spec);
        if (servers.containsKey(name)) {
            throw new UsageException(name.isEmpty() ? "--server given twice: several servers need names, --server NAME=HOST:PORT"
                    : "--server: " + name + " is given twice");
        }
        servers.put(name, spec);
    }

    /** Each server with its trust and credential; its name resolved when it can be (else the client keeps trying). */
    static List<Upstream> upstreams(AgentCommandLine cli, Map<String, String> servers) throws UsageException {
        TlsProviders.Mode mode = TlsProviders.parse("--tls-provider", cli.value("tls-provider"));
        Map<String, Map<String, String>> given = new LinkedHashMap<>();
        for (String flag : PER_SERVER.keySet()) {
            given.put(flag, perServer(cli, flag, servers.keySet()));
        }
        boolean plaintext = cli.has("insecure-plaintext");
        List<Upstream> upstreams = new ArrayList<>();
        for (Map.Entry<String, String> server : servers.entrySet()) {
            String name = server.getKey();
            // A server's own trust, of either kind, replaces the one shared by the servers not named.
            String trustedAs = given.get("server-fingerprint").containsKey(name) || given.get("server-ca").containsKey(name) ? name : "";
            String fingerprint = given.get("server-fingerprint").get(trustedAs);
            String ca = given.get("server-ca").get(trustedAs);
            String of = servers.size() > 1 ? " for server " + name : "";
            if (fingerprint != null && ca != null) {
                throw new UsageException("--server-fingerprint and --server-ca" + of + ": give one way to trust the server");
            }
            if (plaintext && (fingerprint != null || ca != null)) {
                throw new UsageException("--insecure-plaintext turns encryption off, and --server-fingerprint / --server-ca "
                        + "ask for it: give one");
            }
            TransportFactory transports;
            if (plaintext) {
                transports = TransportFactory.plaintext();
            } else if (fingerprint != null || ca != null) {
                try {
                    transports = fingerprint != null ? ClientTls.pinned(fingerprint, mode) : ClientTls.ca(Path.of(ca), mode);
                } catch (UsageException e) {
                    throw new UsageException(e.getMessage() + of);
                }
            } else if (servers.size() > 1) {
                throw new UsageException("say how to trust server " + name + ": --server-fingerprint " + name
                        + "=sha256:HEX or --server-ca " + name + "=FILE (without NAME=, for every server)");
            } else {
                throw new UsageException("say how to trust the server: --server-fingerprint sha256:HEX (printed by "
                        + "'server-service init') or --server-ca FILE; or --insecure-plaintext for a test without encryption");
            }
            String credentialOf = given.get("credential").containsKey(name) || given.get("credential-file").containsKey(name) ? name : "";
            String credential = credential(given.get("credential").get(credentialOf), given.get("credential-file").get(credentialOf), of);
            InetSocketAddress address = HostPort.parseMaybeUnresolved(name.isEmpty() ? "--server" : "--server " + name, server.getValue());
            if (address.isUnresolved()) { // a roaming machine may start before its network: wait for the name, do not exit
                LoggerFactory.getLogger(ClientServiceMain.class).warn("--server{}: cannot resolve {} now; the client-service keeps trying",
                        name.isEmpty() ? "" : " " + name, address.getHostString());
            }
            // A server on this machine is reached over loopback whatever the interfaces do: no roaming, unless asked.
            boolean local = !address.isUnresolved() && address.getAddress().isLoopbackAddress() && cli.values("prefer").isEmpty();
            upstreams.add(new Upstream(name, address, transports, credential, !local));
        }
        return upstreams;
    }

    /**
     * The values of {@code flag} by server name, "" for the one without NAME= (every server not named). The
     * config file's ({@code flag = ...}, read whole: a path or secret may hold a comma; and its groups' keys)
     * come first, and the command line's replace them server by server. A value is for a server when it
     * starts with one of {@code names} and '='.
     */
    private static Map<String, String> perServer(AgentCommandLine cli, String flag, Set<String> names) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        String fromFile = cli.fileValue(flag);
        if (fromFile != null) {
            put(values, flag, fromFile, names);
        }
        for (Map.Entry<String, String> group : cli.group("server", PER_SERVER.get(flag)).entrySet()) {
            if (!names.contains(group.getKey())) {
                throw new UsageException("--config: server." + group.getKey() + "." + PER_SERVER.get(flag) + ": no server "
                        + group.getKey() + " (server." + group.getKey() + " = HOST:PORT)");
            }
            values.put(group.getKey(), group.getValue());
        }
        Map<String, String> fromFlags = new LinkedHashMap<>();
        for (String value : cli.flagValues(flag)) {
            put(fromFlags, flag, value, names);
        }
        values.putAll(fromFlags);
        return values;
    }

    /** {@code value} (perhaps NAME=...) into {@code values}; the same server twice is a mistake. */
    private static void put(Map<String, String> values, String flag, String value, Set<String> names) throws UsageException {
        int eq = value.indexOf('=');
        String name = eq > 0 && names.contains(value.substring(0, eq).trim()) ? value.substring(0, eq).trim() : "";
        if (name.isEmpty() && eq > 0 && value.substring(0, eq).matches("[A-Za-z0-9_-]+") && !flag.endsWith("-ca")
                && !flag.endsWith("-file")) { // a fingerprint or credential has no '=' before its first ':'
            throw new UsageException("--" + flag + ": no --server named " + value.substring(0, eq).trim());
        }
        if (values.put(name, name.isEmpty() ? value : value.substring(eq + 1).trim()) != null) {
            throw new UsageException("--" + flag + " given twice" + (name.isEmpty() ? "" : " for server " + name));
        }
    }

    /** The credential "NAME:SECRET" given, or read from its file; "" for none. */
    private static String credential(String given, String file, String of) throws UsageException {
        if (given != null && file != null) {
            throw new UsageException("--credential and --credential-file" + of + ": give one (the file keeps the secret out of ps)");
        }
        String credential = given;
        if (file != null) {
            Path path = Path.of(file);
            try {
                credential = Files.readString(path).trim();
                warnIfOthersCanRead(path);
            } catch (java.io.IOException e) {
                throw new UsageException("--credential-file: cannot read " + path + ": " + IoErrors.reason(e));
            }
        }
        if (credential != null && (credential.indexOf(':') <= 0 || credential.length() > 255)) {
            throw new UsageException("the credential" + of + " must be NAME:SECRET, as 'server-service init' prints it");
        }
        return credential == null ? "" : credential;
    }

    /** The credential file should be like an SSH key: readable by its owner only. */
    private static void warnIfOthersCanRead(Path file) throws java.io.IOException {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                LoggerFactory.getLogger(ClientServiceMain.class).warn("--credential-file {} can be read by other users ({}): chmod 600 {}",
                        file, java.nio.file.attribute.PosixFilePermissions.toString(mode), file);
            }
        } catch (UnsupportedOperationException notPosix) {
            // no POSIX modes on this file system: nothing to check
        }
    }
}
