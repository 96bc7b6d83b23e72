package io.roamtun.engine.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

/** The server's private key and certificate chain, from a PKCS#12 store or from PEM files. */
public record KeyMaterial(PrivateKey key, X509Certificate[] chain) {

    public X509Certificate leaf() {
        return chain[0];
    }

    public static KeyMaterial fromPkcs12(Path store, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password);
        }
        for (String alias : java.util.Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                Certificate[] certs = ks.getCertificateChain(alias);
                X509Certificate[] chain = new X509Certificate[certs.length];
                for (int i = 0; i < certs.length; i++) {
                    chain[i] = (X509Certificate) certs[i];
                }
                return new KeyMaterial((PrivateKey) ks.getKey(alias, password), chain);
            }
        }
        throw new GeneralSecurityException(store + " holds no private key");
    }

    /** A PEM certificate chain and a PEM PKCS#8 private key ("BEGIN PRIVATE KEY"). */
    public static KeyMaterial fromPem(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(certFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException(certFile + " holds no certificate");
        }
        X509Certificate[] chain = certs.stream().map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
        String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        if (pem.contains("BEGIN EC PRIVATE KEY") || pem.contains("BEGIN RSA PRIVATE KEY")) {
            throw new GeneralSecurityException(keyFile + " is in the old SEC1/PKCS#1 form; convert it: "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + keyFile + " -out key-pkcs8.pem");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException(keyFile + " has no '-----BEGIN PRIVATE KEY-----' block");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        String algorithm = chain[0].getPublicKey().getAlgorithm();
        PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        requireMatch(key, chain[0], certFile, keyFile);
        return new KeyMaterial(key, chain);
    }

    /**
     * Signs a challenge with the key and checks it with the certificate's public key: a key from another pair
     * would otherwise be taken, and every handshake would fail later with a library error.
     */
    private static void requireMatch(PrivateKey key, X509Certificate leaf, Path certFile, Path keyFile)
            throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return; // a kind of key the provider will judge at the handshake
        }
        byte[] challenge = "roamtun: does this key belong to this certificate".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(challenge);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the key in " + keyFile + " does not belong to the certificate in " + certFile
                    + " (the first certificate there must be the server's own)");
        }
    }

    /**
     * The same key re-made by {@code provider} (Conscrypt: a BoringSSL key), so the provider signs with it
     * directly instead of converting a JDK key on every handshake; the key as it is for the JDK's provider
     * and for kinds of key the provider cannot make.
     */
    public KeyMaterial forProvider(Provider provider) throws GeneralSecurityException {
        if (provider == null) {
            return this;
        }
        try {
            PrivateKey providerKey = KeyFactory.getInstance(key.getAlgorithm(), provider)
                    .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
            return new KeyMaterial(providerKey, chain);
        } catch (NoSuchAlgorithmException | InvalidKeySpecException notItsKind) {
            return this; // a key kind the provider has no factory for (Conscrypt: only RSA and EC): it converts per handshake
        }
    }

    public javax.net.ssl.KeyManager[] keyManagers() {
        return new javax.net.ssl.KeyManager[] {new ServerKeyManager(key, chain)};
    }
}
