package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Random;

/** A connection to an echo backend through the tunnel: chunks of random bytes sent and read back whole, compared as they come. */
final class EchoConnection implements AutoCloseable {
    static final int CHUNK = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final Random random;
    private final byte[] pending = new byte[CHUNK];

    EchoConnection(int port, long seed) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(60_000);
        in = socket.getInputStream();
        random = new Random(seed);
    }

    /** Sends the next chunk, not waiting for its echo. */
    void send() throws IOException {
        random.nextBytes(pending);
        socket.getOutputStream().write(pending);
    }

    /** Reads the echo of the chunk sent last, whole, and compares it. */
    void receive() throws IOException {
        assertArrayEquals(pending, in.readNBytes(CHUNK), "echoed bytes differ");
    }

    /** Sends {@code chunks} chunks, each read back whole and compared before the next. */
    void roundTrip(int chunks) throws IOException {
        for (int c = 0; c < chunks; c++) {
            send();
            receive();
        }
    }

    /** Half-closes and expects the echo to end cleanly, with no byte more. */
    void finish() throws IOException {
        socket.shutdownOutput();
        assertEquals(-1, in.read(), "the echo ends with the stream");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
