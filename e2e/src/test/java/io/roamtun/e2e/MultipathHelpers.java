package io.roamtun.e2e;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/** Programs the multipath namespace test runs inside its namespaces (as their own JVMs). */
final class MultipathHelpers {
    private MultipathHelpers() {}

    /**
     * {@code PingPong PORT}: 64-byte ping-pongs without stop through 127.0.0.1:PORT (an echo), as an interactive
     * app would; prints "ready" once the first answer came, then, for every wait of more than 10 ms, a line
     * "gap START_EPOCH_MS LENGTH_MS", and "FAILED ..." (exit 1) when an answer is wrong or the connection breaks.
     */
    static final class PingPong {
        public static void main(String[] args) throws Exception {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]))) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(60_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] ping = new byte[64];
                byte[] pong = new byte[64];
                for (long n = 0; ; n++) {
                    for (int i = 0; i < ping.length; i++) {
                        ping[i] = (byte) (n + i);
                    }
                    long sentAt = System.nanoTime();
                    long sentEpoch = System.currentTimeMillis();
                    out.write(ping);
                    int got = 0;
                    while (got < pong.length) {
                        int r = in.read(pong, got, pong.length - got);
                        if (r < 0) {
                            System.out.println("FAILED: connection closed after " + n + " ping-pongs");
                            System.exit(1);
                        }
                        got += r;
                    }
                    if (!java.util.Arrays.equals(ping, pong)) {
                        System.out.println("FAILED: answer " + n + " is not what was sent");
                        System.exit(1);
                    }
                    long waitedMs = (System.nanoTime() - sentAt) / 1_000_000;
                    if (n == 0) {
                        System.out.println("ready");
                    }
                    if (waitedMs > 10) {
                        System.out.println("gap " + sentEpoch + " " + waitedMs);
                    }
                    Thread.sleep(2);
                }
            } catch (java.io.IOException e) {
                System.out.println("FAILED: " + e);
                System.exit(1);
            }
        }
    }
}
