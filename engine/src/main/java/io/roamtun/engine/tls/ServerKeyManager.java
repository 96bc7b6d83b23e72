package io.roamtun.engine.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server's one key and certificate chain, handed to the TLS provider as they are. Unlike a key
 * manager over a KeyStore, it returns the same key object every time, so a provider-native key (see
 * {@link KeyMaterial#forProvider}) is not re-parsed on every handshake.
 */
final class ServerKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "server";

    private final PrivateKey key;
    private final X509Certificate[] chain;
    private final String keyType;

    ServerKeyManager(PrivateKey key, X509Certificate[] chain) {
        this.key = key;
        this.chain = chain.clone();
        this.keyType = chain[0].getPublicKey().getAlgorithm();
    }

    private String aliasFor(String type) {
        return keyType.equals(type) || ("EC".equals(keyType) && type != null && type.startsWith("EC")) ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String type, Principal[] issuers, SSLEngine engine) {
        return aliasFor(type);
    }

    @Override
    public String chooseServerAlias(String type, Principal[] issuers, Socket socket) {
        return aliasFor(type);
    }

    @Override
    public String[] getServerAliases(String type, Principal[] issuers) {
        return aliasFor(type) == null ? null : new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String[] getClientAliases(String type, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
