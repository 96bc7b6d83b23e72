package io.roamtun.e2e;

import io.roamtun.protocol.AnyFrame;
import io.roamtun.engine.tls.PinnedCertificateTrust;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/** A hand-driven client for hostile tests: real TLS to the server, then whatever bytes the test wants. */
final class RawTlsPeer implements AutoCloseable {
    final SSLSocket socket;
    final OutputStream out;
    final InputStream in;

    RawTlsPeer(InetSocketAddress server, String fingerprint) throws Exception {
        // The JDK's provider: Conscrypt's SSLSocket (not its SSLEngine, which the agents use) wants reflection into java.net.
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, new TrustManager[] {new PinnedCertificateTrust(PinnedCertificateTrust.parse(fingerprint))}, null);
        socket = (SSLSocket) context.getSocketFactory().createSocket(server.getAddress(), server.getPort());
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** Sends HELLO with {@code credential} and waits for WELCOME. */
    Welcome hello(String credential) throws Exception {
        Hello hello = new Hello(1, 1, 0, 1 << 20, Wire.MAX_PAYLOAD, credential);
        ByteBuffer b = ByteBuffer.allocate(FrameEncoder.helloSize(hello));
        FrameEncoder.hello(b, hello);
        out.write(b.array());
        out.flush();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        Welcome[] got = new Welcome[1];
        while (got[0] == null) {
            int n = in.read(buf.array(), buf.position(), buf.remaining());
            if (n < 0) {
                throw new IOException("closed before WELCOME");
            }
            buf.position(buf.position() + n).flip();
            new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD).decode(buf, new AnyFrame() {
                @Override
                public void onWelcome(Welcome welcome) {
                    got[0] = welcome;
                }
            });
            buf.compact();
        }
        return got[0];
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads until the server closes; returns the bytes (throws on timeout). */
    byte[] readToEnd() throws IOException {
        return in.readAllBytes();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
