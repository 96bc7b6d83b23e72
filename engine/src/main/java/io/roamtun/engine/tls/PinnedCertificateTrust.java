package io.roamtun.engine.tls;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, named by the SHA-256 of its DER encoding (like SSH's known
 * hosts), and only while it is valid. Used by the client for {@code --server-fingerprint}.
 */
public final class PinnedCertificateTrust extends X509ExtendedTrustManager {
    private final byte[] pinned;

    public PinnedCertificateTrust(byte[] sha256) {
        this.pinned = sha256.clone();
    }

    /** "sha256:" and 64 hex digits (colons allowed, as openssl prints them). */
    public static byte[] parse(String fingerprint) {
        String f = fingerprint.trim();
        if (!f.toLowerCase().startsWith("sha256:")) {
            throw new IllegalArgumentException("a fingerprint starts with sha256:");
        }
        String hex = f.substring(7).replace(":", "");
        if (!hex.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("sha256: must be followed by 64 hex digits");
        }
        return HexFormat.of().parseHex(hex.toLowerCase());
    }

    public static String fingerprint(X509Certificate certificate) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server sent no certificate");
        }
        X509Certificate leaf = chain[0];
        String got = fingerprint(leaf);
        if (!MessageDigest.isEqual(HexFormat.of().parseHex(got.substring(7)), pinned)) {
            throw new CertificateException("server certificate " + got + " does not match the pinned --server-fingerprint sha256:"
                    + HexFormat.of().formatHex(pinned) + " (wrong server, or its key changed)");
        }
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new CertificateExpiredException("the server certificate expired on " + leaf.getNotAfter());
        } catch (CertificateNotYetValidException e) {
            throw new CertificateNotYetValidException("the server certificate is not valid before " + leaf.getNotBefore());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("not used for clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("not used for clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not used for clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
