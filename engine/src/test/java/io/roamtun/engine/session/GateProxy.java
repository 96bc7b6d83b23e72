package io.roamtun.engine.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;

/** One-connection loopback relay; each direction holds bytes read after its gate time (chunks stamped when read). */
final class GateProxy implements AutoCloseable {
    static final long OPEN = Long.MAX_VALUE;
    static final long SHUT = Long.MIN_VALUE;
    private record Chunk(long at, byte[] bytes) {}
    final ServerSocket listener;
    final InetSocketAddress target;
    /** Chunks read before this nanoTime are forwarded. */
    volatile long c2s = OPEN;
    volatile long s2c = OPEN;
    /** Bytes the server->client reader may still take from the server socket (the rest stays in the kernel). */
    volatile long s2cAllowance = Long.MAX_VALUE;
    volatile int upstreamRcvBuf;
    /** Server->client chunks to forward regardless of the gate, and chunks read so far in that direction. */
    volatile int s2cExtra;
    volatile int s2cRead;
    volatile Socket client;
    volatile Socket server;

    GateProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try {
                client = listener.accept();
                server = new Socket();
                if (upstreamRcvBuf > 0) {
                    server.setReceiveBufferSize(upstreamRcvBuf);
                }
                server.connect(target);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                // closed
            }
        }, "gate-accept");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void pump(Socket from, Socket to, boolean upstream) {
        LinkedBlockingQueue<Chunk> q = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                int n;
                while (true) {
                    while (!upstream && s2cAllowance <= 0) {
                        Thread.sleep(2);
                    }
                    int max = upstream ? buf.length : (int) Math.min(buf.length, s2cAllowance);
                    if ((n = in.read(buf, 0, max)) <= 0) {
                        break;
                    }
                    if (!upstream && s2cAllowance != Long.MAX_VALUE) {
                        s2cAllowance -= n;
                    }
                    q.add(new Chunk(System.nanoTime(), java.util.Arrays.copyOf(buf, n)));
                    if (!upstream) {
                        s2cRead++;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // end
            }
            q.add(new Chunk(System.nanoTime(), null));
        }, "gate-read");
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = q.take();
                    while (c.at() >= (upstream ? c2s : s2c)) {
                        if (!upstream && s2cExtra > 0) {
                            s2cExtra--;
                            break;
                        }
                        Thread.sleep(1);
                    }
                    if (c.bytes() == null) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(c.bytes());
                }
            } catch (IOException | InterruptedException e) {
                // end
            }
        }, "gate-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : new Socket[] {client, server}) {
            if (s != null) {
                s.close();
            }
        }
    }
}
