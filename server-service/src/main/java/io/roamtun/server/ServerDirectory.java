package io.roamtun.server;

import io.roamtun.engine.tls.KeyMaterial;
import io.roamtun.engine.tls.PinnedCertificateTrust;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server-service's own directory ({@code --dir}): its TLS key and certificate ({@code server.p12}, with
 * its password in {@code server.pass}) and its clients ({@code clients.properties}). Everything 0600 in a
 * 0700 directory. {@code server-service init} makes it.
 */
public final class ServerDirectory {
    static final String KEYSTORE = "server.p12";
    static final String PASSWORD = "server.pass";
    static final String CLIENTS = "clients.properties";

    private final Path dir;

    public ServerDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public boolean initialized() {
        return Files.exists(dir.resolve(KEYSTORE)) && Files.exists(dir.resolve(PASSWORD));
    }

    public ClientCredentials clients() {
        return new ClientCredentials(dir.resolve(CLIENTS));
    }

    public KeyMaterial keyMaterial() throws IOException, GeneralSecurityException {
        if (!initialized()) {
            throw new IOException(dir + " has no server key: run 'server-service init --dir " + dir + "' first");
        }
        char[] password = Files.readString(dir.resolve(PASSWORD), StandardCharsets.US_ASCII).trim().toCharArray();
        return KeyMaterial.fromPkcs12(dir.resolve(KEYSTORE), password);
    }

    /**
     * Makes the directory and, unless it has one, a key pair: ECDSA P-256 with a self-signed certificate
     * (made by the JDK's keytool, so no library is needed for X.509). {@code startDaysAgo} and
     * {@code validityDays} exist for tests of expired certificates.
     */
    public void create(int startDaysAgo, int validityDays) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if (initialized()) {
            return;
        }
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Path pass = dir.resolve(PASSWORD);
        Files.deleteIfExists(pass);
        Files.createFile(pass, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pass, password + "\n");
        Process keytool = new ProcessBuilder(keytoolCommand(dir.resolve(KEYSTORE), pass, validityDays, startDaysAgo))
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool could not make the server key: " + out.trim());
        }
        Files.setPosixFilePermissions(dir.resolve(KEYSTORE), PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * The keytool call that makes the key: the password is read from {@code passwordFile} (mode 0600), never
     * put on the command line, where any user on the machine sees it in {@code ps}.
     */
    static List<String> keytoolCommand(Path keystore, Path passwordFile, int validityDays, int startDaysAgo) {
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/keytool", "-genkeypair",
                "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=roamtun server-service", "-validity", String.valueOf(validityDays),
                "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass:file", passwordFile.toString(), "-keypass:file", passwordFile.toString()));
        if (startDaysAgo > 0) {
            command.add("-startdate");
            command.add("-" + startDaysAgo + "d");
        }
        return command;
    }

    /** Stores a key and certificate a user already has (PEM) instead of making one. */
    public void importPem(Path cert, Path key) throws IOException, GeneralSecurityException {
        KeyMaterial material = KeyMaterial.fromPem(cert, key);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", material.key(), password.toCharArray(), material.chain());
        Path store = dir.resolve(KEYSTORE);
        Files.deleteIfExists(store);
        Files.createFile(store, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (var out = Files.newOutputStream(store)) {
            ks.store(out, password.toCharArray());
        }
        Path pass = dir.resolve(PASSWORD);
        Files.deleteIfExists(pass);
        Files.createFile(pass, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pass, password + "\n");
    }

    public String fingerprint() throws IOException, GeneralSecurityException {
        return PinnedCertificateTrust.fingerprint(keyMaterial().leaf());
    }
}
