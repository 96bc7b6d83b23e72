package io.roamtun.bench;

import io.roamtun.engine.tls.KeyMaterial;
import io.roamtun.engine.tls.PinnedCertificateTrust;
import io.roamtun.engine.tls.TlsProviders;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.Provider;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.TrustManager;

/**
 * The CPU time TLS itself costs per GiB, apart from any socket: a Conscrypt client engine encrypts 64 KiB
 * batches that a server engine decrypts, in memory, on this thread, with the server-service's own key. This
 * is what both agents together cannot avoid paying on top of a plaintext relay (one encryption and one
 * decryption per byte, with Conscrypt's copies into and out of its buffers), so the plaintext roamtun's CPU
 * per GiB plus this figure is a floor under roamtun TLS's, measured in the same run.
 */
final class TlsCryptoCost {
    private static final int BATCH = 64 * 1024;

    private TlsCryptoCost() {}

    /** CPU ms per GiB for encrypting and decrypting {@code bytes} (after as much again to warm up). */
    static double msPerGiB(KeyMaterial serverKey, String fingerprint, long bytes) throws Exception {
        Provider provider = TlsProviders.provider(TlsProviders.Mode.CONSCRYPT);
        KeyMaterial key = serverKey.forProvider(provider);
        SSLContext serverContext = TlsProviders.context(provider);
        serverContext.init(key.keyManagers(), null, null);
        SSLContext clientContext = TlsProviders.context(provider);
        clientContext.init(null, new TrustManager[] {new PinnedCertificateTrust(PinnedCertificateTrust.parse(fingerprint))}, null);
        SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        SSLEngine client = clientContext.createSSLEngine("server", 1);
        client.setUseClientMode(true);
        ByteBuffer net = ByteBuffer.allocateDirect(BATCH * 2);
        ByteBuffer plain = ByteBuffer.allocateDirect(BATCH * 2);
        handshake(client, server, net, plain);
        ByteBuffer src = ByteBuffer.allocateDirect(BATCH);
        new java.util.Random(3).ints(BATCH / 4).forEach(src::putInt);
        transfer(client, server, src, net, plain, bytes); // JIT warm-up
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadCpuTime();
        transfer(client, server, src, net, plain, bytes);
        long cpu = threads.getCurrentThreadCpuTime() - before;
        return cpu / 1e6 / ((double) bytes / (1L << 30));
    }

    private static void transfer(SSLEngine from, SSLEngine to, ByteBuffer src, ByteBuffer net, ByteBuffer plain, long bytes)
            throws IOException {
        for (long moved = 0; moved < bytes; moved += BATCH) {
            src.clear();
            net.clear();
            while (src.hasRemaining()) {
                check(from.wrap(src, net));
            }
            net.flip();
            plain.clear();
            while (net.hasRemaining()) {
                check(to.unwrap(net, plain));
            }
            if (plain.position() != BATCH) {
                throw new IOException("decrypted " + plain.position() + " of " + BATCH + " bytes");
            }
        }
    }

    private static void check(SSLEngineResult r) throws IOException {
        if (r.getStatus() != SSLEngineResult.Status.OK) {
            throw new IOException("TLS engine: " + r.getStatus());
        }
    }

    /** Runs both handshakes in memory, passing records back and forth until both are done. */
    private static void handshake(SSLEngine client, SSLEngine server, ByteBuffer net, ByteBuffer scratch) throws IOException {
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 20; round++) {
            if (done(client) && done(server)) {
                return;
            }
            pass(client, server, net, scratch, empty);
            pass(server, client, net, scratch, empty);
        }
        throw new IOException("in-memory TLS handshake did not finish");
    }

    private static void pass(SSLEngine from, SSLEngine to, ByteBuffer net, ByteBuffer scratch, ByteBuffer empty) throws IOException {
        net.clear();
        for (int i = 0; i < 8 && from.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP; i++) {
            from.wrap(empty, net);
        }
        net.flip();
        while (net.hasRemaining()) {
            scratch.clear();
            if (to.unwrap(net, scratch).bytesConsumed() == 0) {
                break;
            }
        }
    }

    private static boolean done(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus s = engine.getHandshakeStatus();
        return s == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || s == SSLEngineResult.HandshakeStatus.FINISHED;
    }
}
