package io.roamtun.bench;

import io.roamtun.engine.transport.LinkTransport;
import io.roamtun.engine.tls.PinnedCertificateTrust;
import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.engine.transport.TlsTransport;
import io.roamtun.engine.transport.TlsTransportFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.Provider;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Opens TLS 1.3 connections to a server-service as fast as it takes them: a fixed number in flight, each a
 * full handshake (no session resumption) checked against the pinned fingerprint as a client-service checks
 * it, then close_notify and close. One thread and one selector, Conscrypt on the client side too: OpenSSL
 * 3.0's {@code s_time} spends about 1.4 ms of CPU per handshake and, sharing two cores with the server,
 * measures itself more than the server.
 */
final class TlsHandshakeLoad {
    private static final int IN_FLIGHT = 16;

    record Result(long handshakes, double seconds, long failures) {
        double perSecond() {
            return handshakes / seconds;
        }
    }

    private TlsHandshakeLoad() {}

    static Result run(InetSocketAddress server, String fingerprint, double seconds) throws Exception {
        Provider provider = TlsProviders.provider(TlsProviders.Mode.CONSCRYPT);
        SSLContext context = TlsProviders.context(provider);
        context.init(null, new TrustManager[] {new PinnedCertificateTrust(PinnedCertificateTrust.parse(fingerprint))}, null);
        TlsTransportFactory factory = new TlsTransportFactory(context, provider, true, false);
        ByteBuffer scratch = ByteBuffer.allocateDirect(32 * 1024);
        long done = 0;
        long failures = 0;
        try (Selector selector = Selector.open()) {
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            for (int i = 0; i < IN_FLIGHT; i++) {
                open(selector, server);
            }
            while (!selector.keys().isEmpty()) {
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    boolean finished;
                    try {
                        finished = step(key, factory, scratch);
                    } catch (IOException e) {
                        failures++;
                        closeQuietly(key);
                        finished = false;
                        if (failures > 100 && done == 0) {
                            throw new IOException("no TLS handshake with " + server + " completes: " + e.getMessage(), e);
                        }
                        if (System.nanoTime() < end) {
                            open(selector, server);
                        }
                        continue;
                    }
                    if (finished) {
                        done++;
                        if (System.nanoTime() < end) {
                            open(selector, server);
                        }
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() > end + 10_000_000_000L) {
                    throw new IOException("TLS handshakes with " + server + " stalled");
                }
            }
            return new Result(done, (System.nanoTime() - start) / 1e9, failures);
        }
    }

    private static void open(Selector selector, InetSocketAddress server) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.connect(server);
        channel.register(selector, SelectionKey.OP_CONNECT);
    }

    /** Moves one connection on; true when its handshake completed and it was closed. */
    private static boolean step(SelectionKey key, TlsTransportFactory factory, ByteBuffer scratch)
            throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        TlsTransport tls = (TlsTransport) key.attachment();
        if (tls == null) {
            if (!channel.finishConnect()) {
                return false;
            }
            tls = (TlsTransport) factory.wrap(channel, null); // no peer: no client session cache, no resumption
            key.attach(tls);
        } else if (key.isWritable()) {
            tls.flushBuffered();
        } else {
            scratch.clear();
            if (tls.read(scratch) < 0) {
                throw new IOException("the server closed during the handshake");
            }
        }
        if (tls.handshakeDone()) {
            tls.close(); // close_notify, then the socket
            return true;
        }
        key.interestOps(tls.hasBufferedOutput() || tls.need() == LinkTransport.Need.WRITE ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        return false;
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        if (key.attachment() instanceof TlsTransport tls) {
            tls.close();
        } else {
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // already failed
            }
        }
    }
}
