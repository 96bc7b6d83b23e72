package io.roamtun.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Simple blocking backends on loopback for tests and the benchmark (the code under test is the tunnel,
 * not these): echo, discard, and "send N bytes". Threads are daemons and everything closes with the server.
 */
public final class Backends {
    private Backends() {}

    /** A backend that runs {@code handler} for each connection on its own thread. */
    public static final class Server implements AutoCloseable {
        private final ServerSocket socket;
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "backend");
            t.setDaemon(true);
            return t;
        });

        public interface Handler {
            void handle(Socket connection) throws IOException;
        }

        public Server(Handler handler) throws IOException {
            this(handler, 0);
        }

        public Server(Handler handler, int port) throws IOException {
            socket = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress());
            threads.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket connection = socket.accept();
                        threads.execute(() -> {
                            try (connection) {
                                handler.handle(connection);
                            } catch (IOException expected) {
                                // the client went away: normal for a test backend
                            }
                        });
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        public InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
            threads.shutdownNow();
            try {
                threads.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes back everything it reads; half-closes its output when the client half-closes. */
    public static Server echo() throws IOException {
        return echo(0);
    }

    /** {@link #echo()} on a given loopback port (0: any). */
    public static Server echo(int port) throws IOException {
        return new Server(connection -> {
            connection.setTcpNoDelay(true);
            InputStream in = connection.getInputStream();
            OutputStream out = connection.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            connection.shutdownOutput();
        }, port);
    }

    /** Reads and drops everything, then closes. */
    public static Server discard() throws IOException {
        return new Server(connection -> {
            InputStream in = connection.getInputStream();
            byte[] buf = new byte[256 * 1024];
            while (in.read(buf) > 0) {
                // drop
            }
        });
    }

    /** A port where nothing listens: connecting to it is refused. */
    public static InetSocketAddress refusingAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }
}
