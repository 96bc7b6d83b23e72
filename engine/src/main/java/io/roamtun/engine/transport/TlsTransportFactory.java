package io.roamtun.engine.transport;

import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.engine.transport.LinkTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.security.Provider;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS 1.3 links from one SSLContext, client or server side. AES-128-GCM first: Conscrypt (BoringSSL) puts it
 * first by itself where the CPU has AES instructions; the JDK's provider would pick AES-256-GCM, 10-20%
 * more CPU per GiB for a margin TLS here does not need, so it is told the same order.
 */
public final class TlsTransportFactory implements TransportFactory {
    /** The JDK provider's TLS 1.3 suites, in the order it is to prefer them. */
    private static final String[] JDK_SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};

    private final SSLContext context;
    private final boolean client;
    private final boolean verifyHostname;
    private final String providerName;
    private final boolean jdk;
    /** One set per factory: a factory serves one agent, whose links all live on one loop thread. */
    private final TlsBuffers buffers = new TlsBuffers();

    public TlsTransportFactory(SSLContext context, Provider provider, boolean client, boolean verifyHostname) {
        this.context = context;
        this.jdk = provider == null;
        this.client = client;
        this.verifyHostname = verifyHostname;
        this.providerName = TlsProviders.name(provider);
    }

    @Override
    public LinkTransport wrap(SocketChannel channel, InetSocketAddress peer) throws IOException {
        SSLEngine engine = client && peer != null
                ? context.createSSLEngine(peer.getHostString(), peer.getPort()) : context.createSSLEngine();
        engine.setUseClientMode(client);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(new String[] {"TLSv1.3"});
        if (jdk) {
            params.setCipherSuites(JDK_SUITES);
            params.setUseCipherSuitesOrder(true); // a server picks by its own order, not the client's
        }
        if (client && verifyHostname) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(params);
        return new TlsTransport(channel, engine, providerName, buffers);
    }

    @Override
    public String describe() {
        return "TLS 1.3 (" + providerName + ")";
    }
}
