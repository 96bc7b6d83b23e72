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

/** TLS 1.3 links from one SSLContext, client or server side. Cipher suites are left to the provider. */
public final class TlsTransportFactory implements TransportFactory {
    private final SSLContext context;
    private final boolean client;
    private final boolean verifyHostname;
    private final String providerName;
    /** One set per factory: a factory serves one agent, whose links all live on one loop thread. */
    private final TlsBuffers buffers = new TlsBuffers();

    public TlsTransportFactory(SSLContext context, Provider provider, boolean client, boolean verifyHostname) {
        this.context = context;
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
