package io.roamtun.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of the server-service that a test can break: {@link #severAll()} resets every
 * connection at once (the network vanished), {@link #blackhole} keeps them open but stops moving bytes
 * (a dead Wi-Fi uplink or captive portal). Blocking, two threads per connection: test code.
 */
public final class FaultProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket[]> pairs = new CopyOnWriteArrayList<>();
    private volatile InetAddress blackholed;
    private volatile boolean refuseNew;
    /** Bytes a second each connection from a source may receive (the server's bytes towards it), by source; absent: no limit. */
    private final Map<InetAddress, Long> downRates = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private final Map<InetAddress, AtomicInteger> accepted = new ConcurrentHashMap<>();

    public FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.computeIfAbsent(client.getInetAddress(), a -> new AtomicInteger()).incrementAndGet();
                if (refuseNew) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                Socket server = new Socket(target.getAddress(), target.getPort());
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                Socket[] pair = {client, server};
                pairs.add(pair);
                pump(client, server, pair, null);
                pump(server, client, pair, client.getInetAddress());
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, Socket[] pair, InetAddress paced) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                long next = System.nanoTime(); // when the next bytes may go, for a paced path
                int n;
                while ((n = in.read(buf)) > 0) {
                    while (isBlackholed(pair) && !from.isClosed()) {
                        Thread.sleep(5); // swallow nothing, deliver nothing: the bytes wait like on a dead path
                    }
                    out.write(buf, 0, n);
                    Long rate = paced == null ? null : downRates.get(paced);
                    if (rate != null) { // a path of this many bytes a second: what it cannot carry waits in the server's socket
                        long now = System.nanoTime();
                        next = Math.max(next, now - 20_000_000L) + (long) (n * 1e9 / rate); // (a burst of 20 ms at most)
                        long due = next - now;
                        if (due > 0) {
                            Thread.sleep(due / 1_000_000, (int) (due % 1_000_000));
                        }
                    }
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                close(pair);
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Connections accepted so far from {@code source} (refused ones too): which path a client tried. */
    public int acceptedFrom(InetAddress source) {
        AtomicInteger n = accepted.get(source);
        return n == null ? 0 : n.get();
    }

    /** New connections are reset at once (true), or relayed again (false): the server is unreachable. */
    public void refuseNew(boolean on) {
        refuseNew = on;
    }

    /** Every connection through the proxy is reset now. */
    public void severAll() {
        for (Socket[] pair : pairs) {
            for (Socket s : pair) {
                try {
                    s.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // already closed
                }
            }
            close(pair);
        }
    }

    private boolean isBlackholed(Socket[] pair) {
        InetAddress source = blackholed;
        return source != null && source.equals(pair[0].getInetAddress());
    }

    /** Each connection from {@code source} receives at most {@code bytesPerSecond} from then on (a slower path). */
    public void limitDownload(InetAddress source, long bytesPerSecond) {
        downRates.put(source, bytesPerSecond);
    }

    /** Stops moving bytes on every connection from {@code source} (null: none), like a path that died silently. */
    public void blackhole(InetAddress source) {
        blackholed = source;
    }

    private void close(Socket[] pair) {
        pairs.remove(pair);
        for (Socket s : pair) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        severAll();
    }
}
