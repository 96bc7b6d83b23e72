package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import io.roamtun.engine.tls.PinnedCertificateTrust;
import io.roamtun.server.ServerDirectory;
import java.time.Duration;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 TLS connections to a server-service (its own process, Conscrypt), each through a full handshake
 * and closed: the server's file descriptors come back to where they started. An SSLEngine that is not
 * closed both ways leaks a pipe in Conscrypt; this is the test that would see it.
 */
class TlsDescriptorLeakTest {
    private static final int CONNECTIONS = 10_000;

    private static int openDescriptors(long pid) {
        String[] fds = new File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @Test
    @Timeout(300)
    void tenThousandTlsConnectionsLeaveNoDescriptorBehind(@TempDir Path tmp) throws Exception {
        ServerDirectory dir = new ServerDirectory(tmp.resolve("server"));
        dir.create(0, 30);
        io.roamtun.server.ClientCredentials.add(dir.clients().file(), "laptop", List.of());
        int port = freePort();
        try (AgentProcess server = AgentProcess.server("--dir", dir.dir().toString(), "--listen", "127.0.0.1:" + port,
                "--service", "echo=127.0.0.1:1", "--tls-provider", "conscrypt", "--log-level", "warn")) {
            InetSocketAddress address = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port);
            Await.until(Duration.ofSeconds(30), () -> {
                try {
                    handshake(null, address);
                    return true;
                } catch (java.io.IOException notYet) {
                    return false;
                }
            }, () -> "server listening:\n" + server.output());
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, new TrustManager[] {new PinnedCertificateTrust(PinnedCertificateTrust.parse(dir.fingerprint()))}, null);
            SSLSocketFactory factory = context.getSocketFactory();
            handshake(factory, address); // warm up, and let the server open whatever it keeps open
            Thread.sleep(500);
            int before = openDescriptors(server.pid());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    work.add(pool.submit(() -> {
                        for (int i = 0; i < CONNECTIONS / 4; i++) {
                            handshake(factory, address);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get(240, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int after = openDescriptors(server.pid());
            while (after > before && System.nanoTime() < settle) { // closes still on their way
                Thread.sleep(100);
                after = openDescriptors(server.pid());
            }
            assertTrue(before > 0, "read the server's descriptors");
            assertEquals(before, after, "descriptors before and after " + CONNECTIONS + " TLS connections");
        }
    }

    private static void handshake(SSLSocketFactory factory, InetSocketAddress address) throws Exception {
        if (factory == null) { // just: is anything listening?
            new java.net.Socket(address.getAddress(), address.getPort()).close();
            return;
        }
        try (SSLSocket s = (SSLSocket) factory.createSocket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(10_000);
            s.startHandshake();
        }
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
