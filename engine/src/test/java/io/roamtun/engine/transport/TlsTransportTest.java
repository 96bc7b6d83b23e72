package io.roamtun.engine.transport;

import io.roamtun.testing.Await;
import io.roamtun.engine.tls.KeyMaterial;
import io.roamtun.engine.tls.PinnedCertificateTrust;
import io.roamtun.engine.tls.TlsProviders;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.transport.LinkTransport;
import java.time.Duration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The TLS transport on its own, over a real socket pair, for both providers: the handshake, data read
 * into destination buffers of every awkward size (smaller than a record: Conscrypt answers BUFFER_OVERFLOW
 * there and keeps the rest), and a refused pin.
 */
class TlsTransportTest {

    private static KeyMaterial keyMaterial(Path dir) throws Exception {
        Path store = dir.resolve("k.p12");
        Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/keytool", "-genkeypair", "-alias", "k",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test", "-validity", "2", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", "secret", "-keypass", "secret").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        return KeyMaterial.fromPkcs12(store, "secret".toCharArray());
    }

    private record Pair(TlsTransport client, TlsTransport server) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    private static Pair connect(Path dir, TlsProviders.Mode mode, byte[] pin) throws Exception {
        KeyMaterial key = keyMaterial(dir);
        Provider provider = TlsProviders.provider(mode);
        SSLContext serverContext = TlsProviders.context(provider);
        serverContext.init(key.keyManagers(), null, null);
        SSLContext clientContext = TlsProviders.context(provider);
        byte[] expected = pin != null ? pin : PinnedCertificateTrust.parse(PinnedCertificateTrust.fingerprint(key.leaf()));
        clientContext.init(null, new TrustManager[] {new PinnedCertificateTrust(expected)}, null);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel a = SocketChannel.open(listener.getLocalAddress());
            SocketChannel b = listener.accept();
            a.configureBlocking(false);
            b.configureBlocking(false);
            LinkTransport client = new TlsTransportFactory(clientContext, provider, true, false)
                    .wrap(a, (InetSocketAddress) listener.getLocalAddress());
            LinkTransport server = new TlsTransportFactory(serverContext, provider, false, false).wrap(b, null);
            return new Pair((TlsTransport) client, (TlsTransport) server);
        }
    }

    /** Pumps both sides until both handshakes are done (or one fails). */
    private static void handshake(Pair pair) throws Exception {
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        Await.until(Duration.ofSeconds(10), "both handshakes done", () -> {
            pair.client.flushBuffered();
            pair.server.flushBuffered();
            pair.client.read(sink.clear());
            pair.server.read(sink.clear());
            return pair.client.handshakeDone() && pair.server.handshakeDone();
        });
    }

    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    void bytesArriveWholeWhateverTheReadersBufferSize(TlsProviders.Mode mode, @TempDir Path dir) throws Exception {
        Pair pair = connect(dir, mode, null);
        try (pair) {
            handshake(pair);
            assertEquals("TLSv1.3", pair.client.protocol());
            byte[] data = new byte[300_000];
            new Random(1).nextBytes(data);
            ByteBuffer out = ByteBuffer.wrap(data);
            ByteBuffer received = ByteBuffer.allocate(data.length);
            int[] sizes = {1, 7, 100, 5000, 16_000, 16_384, 17_000, 40_000};
            int[] turn = {0};
            Await.driving(Duration.ofSeconds(20), "the transfer", () -> {
                if (out.hasRemaining()) {
                    pair.client.write(new ByteBuffer[] {out}, 0, 1);
                }
                pair.client.flushBuffered();
                ByteBuffer small = ByteBuffer.allocate(Math.min(sizes[turn[0]++ % sizes.length], received.remaining()));
                int n = pair.server.read(small);
                assertTrue(n >= 0, "no end of stream in the middle");
                received.put(small.flip());
                return !received.hasRemaining();
            });
            assertArrayEquals(data, received.array());
        }
        assertEquals(0, pair.client.buffers().largeLent(), "the client gave back every batch buffer");
        assertEquals(0, pair.server.buffers().largeLent(), "the server gave back every batch buffer");
    }

    /**
     * Records are at most a quarter of a loopback segment, so four fill one (a write of 16 then ends on a
     * segment's end, with no sliver of a segment after it), also when the plaintext comes in several
     * buffers: Conscrypt's and the JDK's add different overheads, which the first record shows. The JDK's
     * provider, which would take AES-256-GCM if left to itself, agrees on AES-128-GCM.
     */
    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    void recordsAreCutSoFourFillOneLoopbackSegment(TlsProviders.Mode mode, @TempDir Path dir) throws Exception {
        try (Pair pair = connect(dir, mode, null)) {
            handshake(pair);
            if (mode == TlsProviders.Mode.JDK) { // (Conscrypt's choice follows the CPU: AES-128-GCM where it has AES instructions)
                assertTrue(pair.client.describe().contains("TLS_AES_128_GCM_SHA256"), pair.client.describe());
            }
            int recordAdds = mode == TlsProviders.Mode.JDK ? 33 : 17; // content type and tag, and the JDK's 16 bytes of padding
            ByteBuffer[] plaintext = {ByteBuffer.allocateDirect(100_000), ByteBuffer.allocateDirect(7), ByteBuffer.allocateDirect(300_000)};
            long total = 300_007 + 100_000;
            ByteBuffer wire = ByteBuffer.allocate((int) total * 2);
            List<Integer> lengths = new ArrayList<>();
            Await.driving(Duration.ofSeconds(20), "every record on the wire", () -> {
                pair.client.write(plaintext, 0, plaintext.length);
                pair.client.flushBuffered();
                pair.server.channel().read(wire);
                lengths.clear();
                long carried = 0;
                for (int at = 0; at + 5 <= wire.position(); ) {
                    int length = ((wire.get(at + 3) & 0xff) << 8) | (wire.get(at + 4) & 0xff);
                    if (at + 5 + length > wire.position()) {
                        break; // not all here yet
                    }
                    assertEquals(0x17, wire.get(at) & 0xff, "an application data record");
                    lengths.add(length);
                    carried += length - recordAdds;
                    at += 5 + length;
                }
                return carried == total;
            });
            int full = SegmentSizes.LOOPBACK_SEGMENT / 4 - 5; // the length field leaves out the header
            for (int i = 1; i < lengths.size(); i++) { // (the first shows the overhead)
                assertTrue(lengths.get(i) <= full, "record " + i + " of " + lengths.get(i) + " bytes: " + lengths);
            }
            assertTrue(lengths.stream().filter(l -> l == full).count() >= lengths.size() - 3, "full records: " + lengths);
        }
    }

    /**
     * The channel binding a RESUME's proof is bound to: both ends of one connection agree on it, and another
     * connection between the same two has another one, so a RESUME recorded on one is worth nothing on the
     * next. The JDK 17 provider cannot export keying material: it says so, and its HELLO does not offer the
     * capability (the session then relies on single-use attempt numbers alone).
     */
    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    void bothEndsOfAConnectionShareItsBindingAndNoOtherConnectionDoes(TlsProviders.Mode mode, @TempDir Path dir) throws Exception {
        try (Pair first = connect(java.nio.file.Files.createDirectories(dir.resolve("a")), mode, null);
             Pair second = connect(java.nio.file.Files.createDirectories(dir.resolve("b")), mode, null)) {
            handshake(first);
            handshake(second);
            if (mode == TlsProviders.Mode.JDK) {
                assertFalse(first.client.canBindChannel());
                assertEquals(0, first.client.channelBinding().length);
                return;
            }
            assertTrue(first.client.canBindChannel() && first.server.canBindChannel());
            byte[] binding = first.client.channelBinding();
            assertEquals(32, binding.length);
            assertArrayEquals(binding, first.server.channelBinding(), "both ends of one connection");
            assertFalse(java.util.Arrays.equals(binding, second.client.channelBinding()), "another connection");
            assertArrayEquals(second.client.channelBinding(), second.server.channelBinding());
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    void aCertificateThatIsNotThePinnedOneIsRefused(TlsProviders.Mode mode, @TempDir Path dir) throws Exception {
        try (Pair pair = connect(dir, mode, new byte[32])) {
            IOException refused = assertThrows(IOException.class, () -> handshake(pair));
            assertTrue(refused.getMessage().contains("does not match the pinned"), refused.getMessage());
        }
    }

    /**
     * A handshake that stalls halfway through a record (here the client's next handshake record, 40 of its
     * 517 bytes) makes the server hold those bytes in one record's buffer: no batch buffer (280 KiB) is lent
     * before the handshake is done, so a flood of half-open connections costs little memory.
     */
    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    void aStalledClientHelloHoldsNoBatchBuffer(TlsProviders.Mode mode, @TempDir Path dir) throws Exception {
        try (Pair pair = connect(dir, mode, null)) {
            pair.client.flushBuffered(); // the client's first flight, the ClientHello, whole
            ByteBuffer part = ByteBuffer.allocate(40);
            part.put(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});
            part.position(40).flip();
            SocketChannel raw = pair.client.channel();
            ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
            raw.write(part);
            Await.until(Duration.ofSeconds(5), "the part arrived", () -> {
                pair.server.read(sink.clear());
                return pair.server.holdsUndecrypted();
            });
            assertEquals(0, pair.server.buffers().largeLent(), "a handshake holds a record's buffer, not a batch");
        }
    }

    /**
     * Part of a record in hand is no reason to read again at once: the rest is still on its way and the
     * selector says when it arrives (the link's loop spun on {@code mayHaveMore} until then).
     */
    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    void partOfARecordInHandIsNotMoreToRead(TlsProviders.Mode mode, @TempDir Path dir) throws Exception {
        try (Pair pair = connect(dir, mode, null)) {
            handshake(pair);
            ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
            while (pair.server.read(sink.clear()) > 0) {
                // drain what the handshake left (session tickets)
            }
            // The first 105 bytes of a 16 KiB application-data record; the rest never comes.
            ByteBuffer part = ByteBuffer.allocate(105);
            part.put(new byte[] {0x17, 0x03, 0x03, 0x40, 0x00});
            part.position(105).flip();
            pair.client.channel().write(part);
            Await.until(Duration.ofSeconds(5), "the part arrived", () -> {
                assertEquals(0, pair.server.read(sink.clear()), "nothing to decrypt yet");
                return pair.server.holdsUndecrypted();
            });
            assertFalse(pair.server.mayHaveMore(), "part of a record is not more to read");
        }
    }

    /**
     * One write call goes on encrypting while the socket takes whole batches (a caller that got back one
     * batch would wait a selector turn with the socket still empty), and stops at its bound so one link
     * cannot hold the loop. The socket buffers are made large enough that the burst never fills them.
     */
    @ParameterizedTest
    @EnumSource(value = TlsProviders.Mode.class, names = {"CONSCRYPT", "JDK"})
    void oneWriteGoesOnWhileTheSocketTakesWholeBatches(TlsProviders.Mode mode, @TempDir Path dir) throws Exception {
        try (Pair pair = connect(dir, mode, null)) {
            handshake(pair);
            pair.client.channel().setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4 << 20);
            pair.server.channel().setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            byte[] data = new byte[4 << 20];
            new Random(2).nextBytes(data);
            ByteBuffer out = ByteBuffer.wrap(data);
            long taken = pair.client.write(new ByteBuffer[] {out}, 0, 1);
            int batchPlaintext = 16 * 16_384;
            assertTrue(taken > batchPlaintext, "one write took more than one batch of records: " + taken);
            assertTrue(taken < (1 << 20) + batchPlaintext, "one write stops at its bound: " + taken);
            ByteBuffer received = ByteBuffer.allocate((int) taken);
            Await.driving(Duration.ofSeconds(20), "the written bytes", () -> {
                pair.client.flushBuffered();
                assertTrue(pair.server.read(received) >= 0, "no end of stream in the middle");
                return !received.hasRemaining();
            });
            assertArrayEquals(java.util.Arrays.copyOf(data, (int) taken), received.array());
        }
    }
}
