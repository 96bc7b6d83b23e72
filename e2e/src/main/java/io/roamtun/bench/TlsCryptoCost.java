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
 * The CPU time TLS itself costs per GiB, apart from any socket: a client engine encrypts 64 KiB batches that
 * a server engine decrypts, in memory, on this thread, with the server-service's own key, direct buffers as
 * the agents use. This is what both agents together cannot avoid paying on top of a plaintext relay (one
 * encryption and one decryption per byte, with the engine's copies into and out of its buffers), so the
 * plaintext roamtun's CPU per GiB plus this figure is a floor under roamtun TLS's, measured in the same run.
 * Conscrypt by default; the JDK's provider too, limited to AES-128-GCM like Conscrypt, to compare the two.
 */
final class TlsCryptoCost {
    private static final int BATCH = 64 * 1024;

    private TlsCryptoCost() {}

    /** CPU ms per GiB for encrypting and decrypting {@code bytes} (after as much again to warm up). */
    static double msPerGiB(KeyMaterial serverKey, String fingerprint, long bytes) throws Exception {
        return msPerGiB(TlsProviders.Mode.CONSCRYPT, null, serverKey, fingerprint, bytes);
    }

    /** As above with {@code mode}'s provider, limited to {@code suite} when not null. */
    static double msPerGiB(TlsProviders.Mode mode, String suite, KeyMaterial serverKey, String fingerprint, long bytes) throws Exception {
        Provider provider = TlsProviders.provider(mode);
        KeyMaterial key = serverKey.forProvider(provider);
        SSLContext serverContext = TlsProviders.context(provider);
        serverContext.init(key.keyManagers(), null, null);
        SSLContext clientContext = TlsProviders.context(provider);
        clientContext.init(null, new TrustManager[] {new PinnedCertificateTrust(PinnedCertificateTrust.parse(fingerprint))}, null);
        SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        SSLEngine client = clientContext.createSSLEngine("server", 1);
        client.setUseClientMode(true);
        if (suite != null) { // the client offers only this one (the server's parameters also hold its key: left alone)
            javax.net.ssl.SSLParameters params = client.getSSLParameters();
            params.setProtocols(new String[] {"TLSv1.3"});
            params.setCipherSuites(new String[] {suite});
            client.setSSLParameters(params);
        }
        ByteBuffer net = ByteBuffer.allocateDirect(BATCH * 2);
        ByteBuffer plain = ByteBuffer.allocateDirect(BATCH * 2);
        handshake(client, server, net, plain);
        ByteBuffer src = ByteBuffer.allocateDirect(BATCH);
        new java.util.Random(3).ints(BATCH / 4).forEach(src::putInt);
        transfer(client, server, src, net, plain, bytes); // JIT warm-up
        if (Boolean.getBoolean("roamtun.bench.verbose")) {
            System.err.println("bench: TLS alone, " + TlsProviders.name(provider) + ": " + client.getSession().getCipherSuite());
        }
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

    /** Runs both handshakes in memory, each engine's records going into the other's inbound buffer. */
    private static void handshake(SSLEngine client, SSLEngine server, ByteBuffer toServer, ByteBuffer scratch) throws IOException {
        ByteBuffer toClient = ByteBuffer.allocateDirect(toServer.capacity());
        toServer.clear().flip();
        toClient.clear().flip();
        client.beginHandshake();
        server.beginHandshake();
        for (int step = 0; step < 200; step++) {
            if (done(client) && done(server)) {
                return;
            }
            step(client, toClient, toServer, scratch);
            step(server, toServer, toClient, scratch);
        }
        throw new IOException("in-memory TLS handshake did not finish");
    }

    /** One move of one engine: wrap into {@code out}, unwrap from {@code in} (both read mode), or run its tasks. */
    private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer scratch) throws IOException {
        ByteBuffer empty = ByteBuffer.allocate(0);
        switch (engine.getHandshakeStatus()) {
            case NEED_WRAP -> {
                out.compact();
                engine.wrap(empty, out);
                out.flip();
            }
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                scratch.clear();
                engine.unwrap(in, scratch);
            }
            case NEED_TASK -> runTasks(engine);
            default -> { }
        }
    }

    /** The JDK's engine hands its handshake work out as tasks; Conscrypt's never does. */
    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private static boolean done(SSLEngine engine) {
        SSLEngineResult.HandshakeStatus s = engine.getHandshakeStatus();
        return s == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || s == SSLEngineResult.HandshakeStatus.FINISHED;
    }
}
