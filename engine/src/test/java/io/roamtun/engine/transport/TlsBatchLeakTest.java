package io.roamtun.engine.transport;

import io.roamtun.engine.tls.PinnedCertificateTrust;
import io.roamtun.engine.tls.TlsProviders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.Provider;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;

/** A transport whose constructor fails (its ClientHello written to a reset peer) gives back the batch it borrowed. */
class TlsBatchLeakTest {
    @Test
    void constructorFailureGivesTheBatchBack() throws Exception {
        Provider provider = TlsProviders.provider(TlsProviders.Mode.values()[0]);
        SSLContext context = TlsProviders.context(provider);
        context.init(null, new TrustManager[] {new PinnedCertificateTrust(new byte[32])}, null);
        TlsBuffers buffers = new TlsBuffers();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel a = SocketChannel.open(listener.getLocalAddress());
            SocketChannel b = listener.accept();
            b.setOption(StandardSocketOptions.SO_LINGER, 0);
            b.close(); // RST
            Thread.sleep(200);
            a.configureBlocking(false);
            SSLEngine engine = context.createSSLEngine("localhost", 1);
            engine.setUseClientMode(true);
            SSLParameters params = engine.getSSLParameters();
            params.setProtocols(new String[] {"TLSv1.3"});
            engine.setSSLParameters(params);
            assertThrows(IOException.class, () -> new TlsTransport(a, engine, "p", buffers));
            a.close();
            assertEquals(0, buffers.largeLent(), "large batches still counted as lent after the failed transport");
        }
    }
}
