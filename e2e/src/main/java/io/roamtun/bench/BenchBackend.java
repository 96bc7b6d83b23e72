package io.roamtun.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The benchmark's backend, in its own process so that the load generator's sockets and the backend's
 * do not share one file-descriptor limit. One NIO thread. The first byte of a connection picks a mode:
 * 'S' sink (read to end of stream, answer the 8-byte count, close), 'E' echo (until end of stream),
 * 'H' hold (stay open, say nothing). A UDP echo too. Prints "udp PORT", then "listening PORT" when ready.
 */
public final class BenchBackend {
    private static final ByteBuffer SCRATCH = ByteBuffer.allocateDirect(256 * 1024);

    private static final class Conn {
        final SocketChannel channel;
        int mode = -1;
        long count;
        ByteBuffer echo;

        Conn(SocketChannel channel) {
            this.channel = channel;
        }
    }

    public static void main(String[] args) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        // A UDP echo beside it, for the datagram figures.
        java.nio.channels.DatagramChannel udp = java.nio.channels.DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        udp.configureBlocking(false);
        udp.register(selector, SelectionKey.OP_READ, UDP);
        System.out.println("udp " + ((InetSocketAddress) udp.getLocalAddress()).getPort());
        System.out.println("listening " + ((InetSocketAddress) server.getLocalAddress()).getPort());
        System.out.flush();
        while (true) {
            selector.select();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                try {
                    if (key.attachment() == UDP) {
                        echoDatagrams((java.nio.channels.DatagramChannel) key.channel());
                    } else if (key.isAcceptable()) {
                        SocketChannel c;
                        while ((c = server.accept()) != null) {
                            c.configureBlocking(false);
                            c.socket().setTcpNoDelay(true);
                            c.register(selector, SelectionKey.OP_READ, new Conn(c));
                        }
                    } else {
                        serve(key);
                    }
                } catch (IOException e) {
                    key.cancel();
                    key.channel().close();
                }
            }
        }
    }

    private static final Object UDP = new Object();

    /** Sends every datagram waiting back to its sender. */
    private static void echoDatagrams(java.nio.channels.DatagramChannel udp) throws IOException {
        for (int i = 0; i < 256; i++) {
            SCRATCH.clear();
            java.net.SocketAddress from = udp.receive(SCRATCH);
            if (from == null) {
                return;
            }
            udp.send(SCRATCH.flip(), from);
        }
    }

    private static void serve(SelectionKey key) throws IOException {
        Conn conn = (Conn) key.attachment();
        if (key.isWritable()) {
            conn.channel.write(conn.echo);
            if (!conn.echo.hasRemaining()) {
                conn.echo = null; // idle connections hold no buffer: 10,000 of them must fit
                key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        ByteBuffer buf = SCRATCH;
        buf.clear();
        int n = conn.channel.read(buf);
        if (n < 0) {
            if (conn.mode == 'S') {
                // Eight bytes into a socket we never wrote to: the send buffer takes them at once.
                conn.channel.write(ByteBuffer.allocate(8).putLong(conn.count).flip());
            }
            key.cancel();
            conn.channel.close();
            return;
        }
        if (n == 0) {
            return;
        }
        buf.flip();
        if (conn.mode < 0) {
            conn.mode = buf.get();
        }
        if (conn.mode == 'E') {
            conn.channel.write(buf);
            if (buf.hasRemaining()) {
                conn.echo = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
                key.interestOps(SelectionKey.OP_WRITE);
            }
        } else {
            conn.count += buf.remaining();
        }
    }
}
