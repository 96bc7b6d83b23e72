package io.roamtun.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Small programs the namespace test runs inside its namespaces (as their own JVMs). */
final class NetnsHelpers {
    private NetnsHelpers() {}

    /** {@code Echo PORT}: an echo server on 127.0.0.1:PORT. */
    static final class Echo {
        public static void main(String[] args) throws IOException {
            try (Backends.Server echo = Backends.echo(Integer.parseInt(args[0]))) {
                System.out.println("listening " + echo.address().getPort());
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@code StreamCheck PORT BYTES RATE_BYTES_PER_S}: sends BYTES of pseudo-random data to 127.0.0.1:PORT
     * at about RATE while reading the echo, then checks every byte came back; prints "OK <sha256>" and exits 0,
     * or prints the error and exits 1.
     */
    static final class StreamCheck {
        public static void main(String[] args) throws Exception {
            long total = Long.parseLong(args[1]);
            long rate = Long.parseLong(args[2]);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]))) {
                s.setSoTimeout(60_000);
                Payload sent = new Payload(7, total);
                Throwable[] failure = new Throwable[1];
                Thread writer = new Thread(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        byte[] buf = new byte[16 * 1024];
                        long start = System.nanoTime();
                        long done = 0;
                        int n;
                        while ((n = sent.next(buf)) > 0) {
                            out.write(buf, 0, n);
                            done += n;
                            long due = start + (long) (done * 1e9 / rate);
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                        s.shutdownOutput();
                    } catch (Throwable t) {
                        failure[0] = t;
                    }
                });
                writer.start();
                MessageDigest got = Payload.sha256();
                long received = 0;
                byte[] buf = new byte[64 * 1024];
                int n;
                InputStream in = s.getInputStream();
                while ((n = in.read(buf)) > 0) {
                    got.update(buf, 0, n);
                    received += n;
                }
                writer.join();
                String expected = sent.sha256Hex();
                String actual = HexFormat.of().formatHex(got.digest());
                if (failure[0] != null || received != total || !expected.equals(actual)) {
                    System.out.println("FAILED: received " + received + " of " + total + ", sha " + actual + " vs " + expected
                            + (failure[0] != null ? ", writer: " + failure[0] : ""));
                    System.exit(1);
                }
                System.out.println("OK " + actual);
            } catch (IOException e) {
                System.out.println("FAILED: " + e);
                System.exit(1);
            }
        }
    }
}
