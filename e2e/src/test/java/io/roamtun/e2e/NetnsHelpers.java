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
    /** {@code UdpEcho PORT}: a UDP echo service on 127.0.0.1:PORT. */
    static final class UdpEcho {
        public static void main(String[] args) throws IOException {
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket(Integer.parseInt(args[0]), InetAddress.getLoopbackAddress())) {
                System.out.println("listening " + socket.getLocalPort());
                byte[] buf = new byte[65_536];
                while (true) {
                    java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    socket.send(new java.net.DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                }
            }
        }
    }

    /**
     * {@code UdpProbe PORT}: sends a numbered datagram to 127.0.0.1:PORT every 20 ms until a file named
     * "stop" appears beside its working directory's... (see the test), counts the answers, and at the end
     * sends a last burst of 50, one at a time, each of which must be answered. Prints
     * "OK sent S answered A final 50/50" and exits 0, or "FAILED ..." and exits 1.
     */
    static final class UdpProbe {
        public static void main(String[] args) throws Exception {
            java.nio.file.Path stop = java.nio.file.Path.of(args[1]);
            java.net.InetSocketAddress target = new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]));
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean(true);
                Thread receiver = new Thread(() -> {
                    byte[] buf = new byte[64];
                    while (counting.get()) {
                        try {
                            socket.receive(new java.net.DatagramPacket(buf, buf.length));
                            answered.incrementAndGet();
                        } catch (IOException closedOrTimeout) {
                            // keep counting until told to stop
                        }
                    }
                });
                socket.setSoTimeout(200);
                receiver.start();
                long sent = 0;
                byte[] d = new byte[32];
                while (!java.nio.file.Files.exists(stop)) {
                    java.nio.ByteBuffer.wrap(d).putLong(sent++);
                    socket.send(new java.net.DatagramPacket(d, d.length, target));
                    Thread.sleep(20);
                }
                Thread.sleep(2000); // the last answers of the run
                counting.set(false);
                receiver.join();
                long during = answered.get();
                socket.setSoTimeout(5000);
                int finalAnswered = 0;
                for (int i = 0; i < 50; i++) {
                    java.nio.ByteBuffer.wrap(d).putLong(-1 - i);
                    socket.send(new java.net.DatagramPacket(d, d.length, target));
                    try {
                        socket.receive(new java.net.DatagramPacket(new byte[64], 64));
                        finalAnswered++;
                    } catch (java.net.SocketTimeoutException lost) {
                        // counted below
                    }
                }
                String line = "sent " + sent + " answered " + during + " final " + finalAnswered + "/50";
                System.out.println((finalAnswered == 50 ? "OK " : "FAILED ") + line);
                System.exit(finalAnswered == 50 ? 0 : 1);
            }
        }
    }
}
