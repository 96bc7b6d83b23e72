package io.roamtun.server;

import io.roamtun.engine.text.IoErrors;
import io.roamtun.engine.text.LogSafe;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The clients allowed to use this server: a .properties file (mode 0600) with, per client, the SHA-256 of
 * its secret, the services it may open ({@code *} for all, a blank line for none) and, optionally, the ports
 * it may expose (reverse streams) beyond the server's {@code --allow-expose}. Only hashes are stored; a secret is shown
 * once, when made. The file is read again whenever it changes, so {@code client remove} takes effect at
 * once, without a restart: for new connections and resumes, and for the sessions the client has open
 * (the server checks the file every second and ends them).
 */
public final class ClientCredentials {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClientCredentials.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Every service, in a client's {@code services} line. */
    static final String ALL_SERVICES = "*";
    /** What a refused credential is told, whatever was wrong: a stranger learns no client names. */
    static final String REFUSED = "unknown client, revoked client, or wrong secret";

    /**
     * One allowed client and the services it may open: {@link #ALL_SERVICES} for every one; an empty set
     * (a blank services line) for none.
     */
    public record Client(String name, byte[] secretSha256, Set<String> services, PortRanges expose,
                         java.net.InetAddress exposeAddress) {
        public boolean mayOpen(String service) {
            return services.contains(ALL_SERVICES) || services.contains(service);
        }
    }

    private final Path file;
    private FileTime loadedAt;
    private long generation;
    private Properties entries = new Properties();
    /** Read with {@link #entries}: the expose-address lines of all clients. */
    private Set<java.net.InetAddress> fixedExposeAddresses = Set.of();

    public ClientCredentials(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public static boolean validName(String name) {
        return name != null && name.matches("[A-Za-z0-9._-]{1,64}");
    }

    /** The client a "NAME:SECRET" credential belongs to; AUTH_FAILED when it is unknown, revoked or wrong. */
    public synchronized Client authenticate(String credential) throws ProtocolException {
        int colon = credential == null ? -1 : credential.indexOf(':');
        if (colon <= 0) {
            throw new ProtocolException(ErrorCode.AUTH_FAILED, "this server requires a client credential (--credential NAME:SECRET)");
        }
        String name = credential.substring(0, colon);
        byte[] presented = sha256(credential.substring(colon + 1)); // hashed whether or not the name is known
        Client client = find(name);
        boolean secretMatches = client != null && MessageDigest.isEqual(presented, client.secretSha256());
        if (!secretMatches) {
            // The operator's log says which; the peer hears the same refusal either way.
            log.info("credential of client '{}' refused: {}", LogSafe.escape(name),
                    client == null ? "no such client in " + file + " (never added, or revoked)" : "wrong secret");
            throw new ProtocolException(ErrorCode.AUTH_FAILED, REFUSED);
        }
        return client;
    }

    /** The client named so, as the file says now, or null (removed, or never there). */
    public synchronized Client find(String name) {
        reloadIfChanged();
        String hash = entries.getProperty("client." + name + ".sha256");
        if (hash == null || !validName(name)) {
            return null;
        }
        Set<String> services = new LinkedHashSet<>(); // a blank line allows none; no line at all, every one
        for (String s : entries.getProperty("client." + name + ".services", ALL_SERVICES).split(",")) {
            if (!s.isBlank()) {
                services.add(s.trim());
            }
        }
        byte[] sha256;
        try {
            sha256 = HexFormat.of().parseHex(hash.trim());
        } catch (IllegalArgumentException edited) {
            sha256 = new byte[0];
        }
        if (sha256.length != 32) {
            log.warn("{}: client {} has a malformed secret hash; refused until 'client add {} --replace'", file, name, name);
            return null;
        }
        return new Client(name, sha256, services, exposeOf(name, entries.getProperty("client." + name + ".expose")),
                exposeAddressOf(name, entries.getProperty("client." + name + ".expose-address")));
    }

    /** A client's fixed address for its exposed ports, or null (none, or a broken line: said once per read). */
    private java.net.InetAddress exposeAddressOf(String name, String line) {
        if (line == null || line.isBlank()) {
            return null;
        }
        try {
            return exposeAddress("client." + name + ".expose-address", line);
        } catch (io.roamtun.engine.text.UsageException broken) {
            log.warn("{}: {}; client {} gets an address from the pool, or 127.0.0.1", file, broken.getMessage(), name);
            return null;
        }
    }

    /** One address literal (never a name to look up). */
    static java.net.InetAddress exposeAddress(String what, String text) throws io.roamtun.engine.text.UsageException {
        if (text.contains("/")) {
            throw new io.roamtun.engine.text.UsageException(what + ": '" + text.trim() + "' is a network; give one address, e.g. 127.77.0.11");
        }
        return io.roamtun.engine.text.Cidr.parse(what, text).address(0);
    }

    /** A client's {@code expose} line: the ports it may expose beyond {@code --allow-expose}; a broken line grants none. */
    private PortRanges exposeOf(String name, String line) {
        try {
            return PortRanges.parse("client." + name + ".expose", line);
        } catch (io.roamtun.engine.text.UsageException broken) {
            log.warn("{}: {}; client {} may expose no port of its own until the line is fixed", file, broken.getMessage(), name);
            return PortRanges.none();
        }
    }

    /** The addresses fixed for clients' exposed ports (expose-address lines), as the file says now. */
    public synchronized Set<java.net.InetAddress> fixedExposeAddresses() {
        reloadIfChanged();
        return fixedExposeAddresses;
    }

    /** Counts the reads of a changed file: a caller that saw another count knows the clients may have changed. */
    public synchronized long generation() {
        reloadIfChanged();
        return generation;
    }

    private void reloadIfChanged() {
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(file);
        } catch (IOException gone) {
            if (loadedAt == null && entries.isEmpty()) {
                return;
            }
            entries = new Properties(); // the file was removed: nobody is allowed
            fixedExposeAddresses = Set.of();
            loadedAt = null;
            generation++;
            return;
        }
        if (modified.equals(loadedAt)) {
            return;
        }
        try {
            entries = read(file);
        } catch (IOException unreadable) {
            // There but unreadable (say, rewritten by root for a server running as another user): keep the
            // clients as last read, rather than end every session, and say so once per change.
            log.warn("cannot read {} ({}): keeping the clients as last read", file, IoErrors.reason(unreadable));
            loadedAt = modified;
            return;
        }
        loadedAt = modified;
        generation++;
        Set<java.net.InetAddress> fixed = new java.util.HashSet<>();
        for (String key : entries.stringPropertyNames()) {
            if (key.startsWith("client.") && key.endsWith(".expose-address")) {
                java.net.InetAddress a = exposeAddressOf(key.substring(7, key.length() - 15), entries.getProperty(key));
                if (a != null) {
                    fixed.add(a);
                }
            }
        }
        fixedExposeAddresses = Set.copyOf(fixed);
    }

    private static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }

    private static void write(Path file, Properties p) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "roamtun clients: SHA-256 of each secret, and the services each may open");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Adds a client, or gives an existing one a new secret; returns its credential "NAME:SECRET", shown this once. */
    public static String add(Path file, String name, List<String> services) throws IOException {
        return add(file, name, services, null, null);
    }

    /** As {@link #add(Path, String, List)}, with the ports the client may expose ({@code expose} line; none: no line). */
    public static String add(Path file, String name, List<String> services, PortRanges expose) throws IOException {
        return add(file, name, services, expose, null);
    }

    /**
     * As above, with a fixed address for the client's exposed ports. A null {@code expose} or {@code exposeAddress}
     * keeps what the file says (a new secret for a client keeps its expose lines unless they are given again).
     */
    public static String add(Path file, String name, List<String> services, PortRanges expose, java.net.InetAddress exposeAddress)
            throws IOException {
        if (!validName(name)) {
            throw new IllegalArgumentException("client names are 1-64 letters, digits, '.', '_' or '-': '" + name + "'");
        }
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Properties p = read(file);
        p.setProperty("client." + name + ".sha256", HexFormat.of().formatHex(sha256(secret)));
        p.setProperty("client." + name + ".services", services.isEmpty() ? ALL_SERVICES : String.join(",", services));
        if (expose != null && expose.isEmpty()) {
            p.remove("client." + name + ".expose");
        } else if (expose != null) {
            p.setProperty("client." + name + ".expose", expose.toString());
        }
        if (exposeAddress != null) {
            p.setProperty("client." + name + ".expose-address", exposeAddress.getHostAddress());
        }
        write(file, p);
        return name + ":" + secret;
    }

    /** True when the file names a client so. */
    public static boolean exists(Path file, String name) throws IOException {
        return read(file).getProperty("client." + name + ".sha256") != null;
    }

    public static boolean remove(Path file, String name) throws IOException {
        Properties p = read(file);
        boolean had = p.remove("client." + name + ".sha256") != null;
        p.remove("client." + name + ".services");
        p.remove("client." + name + ".expose");
        p.remove("client." + name + ".expose-address");
        write(file, p);
        return had;
    }

    /** "NAME services" lines, with " expose PORTS" for a client that may expose ports of its own. */
    public static List<String> list(Path file) throws IOException {
        Properties p = read(file);
        Set<String> names = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("client.") && key.endsWith(".sha256")) {
                names.add(key.substring(7, key.length() - 7));
            }
        }
        List<String> lines = new ArrayList<>();
        for (String name : names) {
            String expose = p.getProperty("client." + name + ".expose", "");
            String address = p.getProperty("client." + name + ".expose-address", "");
            lines.add(name + " " + p.getProperty("client." + name + ".services", ALL_SERVICES) + (expose.isBlank() ? "" : " expose " + expose)
                    + (address.isBlank() ? "" : " on " + address));
        }
        return lines;
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
