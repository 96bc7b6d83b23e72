package io.roamtun.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The one client every path is measured with, so the rows differ only in the path. Blocking sockets. */
final class LoadGenerator {
    private static final byte[] BULK = new byte[256 * 1024];

    static {
        new java.util.Random(1).nextBytes(BULK);
    }

    private LoadGenerator() {}

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket(address.getAddress(), address.getPort());
        s.setTcpNoDelay(true);
        s.setSoTimeout(120_000);
        return s;
    }

    /** Sends {@code bytes} to the sink and waits until the backend confirms it has them all; MB/s. */
    static double throughput(InetSocketAddress address, long bytes, int streams) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        try {
            long perStream = bytes / streams;
            long start = System.nanoTime();
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                results.add(pool.submit(() -> sink(address, perStream)));
            }
            long total = 0;
            for (Future<Long> f : results) {
                total += f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (total != perStream * streams) {
                throw new IOException("backend got " + total + " bytes of " + perStream * streams);
            }
            return total / 1e6 / seconds;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long sink(InetSocketAddress address, long bytes) throws IOException {
        try (Socket s = connect(address)) {
            OutputStream out = s.getOutputStream();
            out.write('S');
            long left = bytes;
            while (left > 0) {
                int n = (int) Math.min(BULK.length, left);
                out.write(BULK, 0, n);
                left -= n;
            }
            s.shutdownOutput();
            return new DataInputStream(s.getInputStream()).readLong();
        }
    }

    /** 64-byte request, 64-byte answer, {@code rounds} times in a row; the round trips in ns, sorted. */
    static long[] pingPong(InetSocketAddress address, int rounds) throws IOException {
        try (Socket s = connect(address)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] message = new byte[64];
            message[0] = 'E';
            out.write(message, 0, 1);
            long[] rtt = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                long start = System.nanoTime();
                out.write(message);
                readFully(in, message);
                rtt[i] = System.nanoTime() - start;
            }
            Arrays.sort(rtt);
            return rtt;
        }
    }

    /**
     * {@code clients} connections at once, each keeping {@code depth} 64-byte requests in flight against the
     * echo backend (a new one as each answer arrives, as a pipelining client of a request/response server
     * does), {@code perClient} requests each. Requests answered per second, all clients together.
     */
    static double pipelined(InetSocketAddress address, int clients, int depth, int perClient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(clients);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<Void>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                results.add(pool.submit(() -> {
                    try (Socket s = connect(address)) {
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        out.write('E');
                        connected.countDown();
                        go.await();
                        byte[] request = new byte[64];
                        byte[] answers = new byte[64 * depth];
                        for (int k = 0; k < depth; k++) {
                            out.write(request);
                        }
                        int sent = depth;
                        int answered = 0;
                        while (answered < perClient) {
                            int n = in.read(answers, 0, Math.min(answers.length, (perClient - answered) * 64));
                            if (n < 0) {
                                throw new IOException("connection closed after " + answered + " answers");
                            }
                            // Count whole answers; a partial one waits for its rest.
                            int whole = n / 64;
                            int rest = n % 64;
                            if (rest != 0) {
                                readFully(in, java.util.Arrays.copyOf(answers, 64 - rest));
                                whole++;
                            }
                            answered += whole;
                            for (int k = 0; k < whole && sent < perClient; k++, sent++) {
                                out.write(request);
                            }
                        }
                    }
                    return null;
                }));
            }
            if (!connected.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IOException("not all " + clients + " clients connected");
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<Void> f : results) {
                f.get();
            }
            return (long) clients * perClient / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Connect, one 16-byte exchange, close; {@code count} times in a row. Connections per second. */
    static double connectionRate(InetSocketAddress address, int count) throws IOException {
        byte[] request = new byte[17];
        request[0] = 'E';
        byte[] answer = new byte[16];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            try (Socket s = connect(address)) {
                s.getOutputStream().write(request);
                readFully(s.getInputStream(), answer);
            }
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** Opens {@code count} connections, each proven end to end by one echo, and leaves them open. */
    static List<Socket> holdOpen(InetSocketAddress address, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>(count);
        byte[] request = {'E', 1};
        byte[] answer = new byte[1];
        try {
            for (int i = 0; i < count; i++) {
                Socket s = connect(address);
                sockets.add(s);
                s.getOutputStream().write(request);
                readFully(s.getInputStream(), answer);
            }
            return sockets;
        } catch (IOException e) {
            closeAll(sockets);
            throw new IOException("after " + sockets.size() + " connections: " + e.getMessage(), e);
        }
    }

    static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static void readFully(InputStream in, byte[] buf) throws IOException {
        int at = 0;
        while (at < buf.length) {
            int n = in.read(buf, at, buf.length - at);
            if (n < 0) {
                throw new IOException("connection closed after " + at + " of " + buf.length + " bytes");
            }
            at += n;
        }
    }
    /** 64-byte datagrams to the UDP echo, one at a time, {@code rounds} times; the round trips in ns, sorted (a lost one is retried). */
    static long[] udpRoundTrips(InetSocketAddress address, int rounds) throws IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, address.getAddress())) {
            s.setSoTimeout(1000);
            byte[] message = new byte[64];
            java.net.DatagramPacket answer = new java.net.DatagramPacket(new byte[64], 64);
            long[] rtt = new long[rounds];
            int lost = 0;
            for (int i = 0; i < rounds; i++) {
                long start = System.nanoTime();
                s.send(new java.net.DatagramPacket(message, message.length, address));
                try {
                    s.receive(answer);
                } catch (java.net.SocketTimeoutException e) {
                    if (++lost > rounds / 10 + 3) {
                        throw new IOException(lost + " of " + (i + 1) + " datagrams got no answer");
                    }
                    i--;
                    continue;
                }
                rtt[i] = System.nanoTime() - start;
            }
            Arrays.sort(rtt);
            return rtt;
        }
    }

    /**
     * {@code sources} UDP sockets, each keeping {@code depth} 64-byte datagrams in flight against the echo
     * (a new one as each answer arrives, one more after 200 ms without any, which makes up for a loss), for
     * {@code seconds}. Answers per second, all sources together.
     */
    static double udpRate(InetSocketAddress address, int sources, int depth, double seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(sources);
        try {
            List<Future<Long>> results = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long start = System.nanoTime();
            for (int i = 0; i < sources; i++) {
                results.add(pool.submit(() -> {
                    try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, address.getAddress())) {
                        s.setSoTimeout(200);
                        byte[] message = new byte[64];
                        java.net.DatagramPacket answer = new java.net.DatagramPacket(new byte[64], 64);
                        for (int k = 0; k < depth; k++) {
                            s.send(new java.net.DatagramPacket(message, message.length, address));
                        }
                        long answered = 0;
                        while (System.nanoTime() < end) {
                            try {
                                s.receive(answer);
                                answered++;
                            } catch (java.net.SocketTimeoutException lost) {
                                // one more in flight instead of the lost one
                            }
                            s.send(new java.net.DatagramPacket(message, message.length, address));
                        }
                        return answered;
                    }
                }));
            }
            long total = 0;
            for (Future<Long> f : results) {
                total += f.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
