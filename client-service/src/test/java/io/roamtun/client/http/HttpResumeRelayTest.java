package io.roamtun.client.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.loop.EventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay between an app and the tunnel port, with a scripted tunnel: the first connection serves part of
 * a body and is reset; the second must carry the Range request, and its answer's head (sent a few bytes at a
 * time) is dropped while the rest of the body is spliced on. A wrong Content-Range resets the app instead.
 */
class HttpResumeRelayTest {
    private static final int LENGTH = 300_000;
    private static final String ETAG = "\"abc-123\"";

    /** A tunnel port whose connections are served by the scripts given, one per connection; records what each received. */
    private static final class ScriptedTunnel implements AutoCloseable {
        interface Script {
            void serve(Socket s, String request) throws IOException;
        }

        final ServerSocket socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
        final Thread thread;

        ScriptedTunnel(List<Script> scripts) throws IOException {
            thread = new Thread(() -> {
                for (Script script : scripts) {
                    try (Socket s = socket.accept()) {
                        String request = readHead(s.getInputStream());
                        requests.add(request);
                        script.serve(s, request);
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "scripted-tunnel");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("no head");
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static byte[] body() {
        byte[] body = new byte[LENGTH];
        new Random(3).nextBytes(body);
        return body;
    }

    /** Sends the head of the first response and {@code cut} bytes of the body, then resets the connection. */
    private static ScriptedTunnel.Script firstCutAt(byte[] body, int cut) {
        return (s, request) -> {
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + LENGTH + "\r\nETag: " + ETAG + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, cut);
            out.flush();
            s.setSoLinger(true, 0); // a reset, as the engine gives a stream of a lost session
        };
    }

    /** Answers the take-up with {@code range}, its head dribbled a few bytes at a time, then the rest of the body. */
    private static ScriptedTunnel.Script takeUp(byte[] body, String range, int from) {
        return (s, request) -> {
            OutputStream out = s.getOutputStream();
            byte[] head = ("HTTP/1.1 206 Partial Content\r\nContent-Range: " + range + "\r\nContent-Length: " + (LENGTH - from)
                    + "\r\nETag: " + ETAG + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            for (int at = 0; at < head.length; at += 5) {
                out.write(head, at, Math.min(5, head.length - at));
                out.flush();
                sleepBriefly(); // (so the relay reads the head in pieces: what the test is about, not a wait for a result)
            }
            out.write(body, from, LENGTH - from);
            out.flush();
            try {
                s.getInputStream().read(); // until the relay closes
            } catch (IOException closed) {
                // done
            }
        };
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The app: connects through the relay and sends a GET; returns its socket. */
    private static Socket app(EventLoop loop, InetSocketAddress tunnel, List<AutoCloseable> closing) throws Exception {
        return app(loop, tunnel, closing, new HttpResumeFigures());
    }

    private static Socket app(EventLoop loop, InetSocketAddress tunnel, List<AutoCloseable> closing, HttpResumeFigures figures)
            throws Exception {
        ServerSocketChannel front = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closing.add(front);
        Socket app = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) front.getLocalAddress()).getPort());
        SocketChannel accepted = front.accept();
        loop.call(() -> {
            try {
                HttpResumeRelay.start(loop, "test", tunnel, figures, accepted);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        app.setSoTimeout(20_000);
        app.getOutputStream().write("GET /f HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return app;
    }

    @Test
    @Timeout(60)
    void aCutDownloadIsTakenUpAndTheHeadOfTheAnswerDropped() throws Exception {
        byte[] body = body();
        int cut = 100_000;
        List<AutoCloseable> closing = new ArrayList<>();
        try (EventLoop loop = new EventLoop("relay-test").start();
             ScriptedTunnel tunnel = new ScriptedTunnel(List.of(firstCutAt(body, cut),
                     takeUp(body, "bytes " + cut + "-" + (LENGTH - 1) + "/" + LENGTH, cut)))) {
            Socket app = app(loop, tunnel.address(), closing);
            InputStream in = app.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200 OK"), head);
            assertArrayEquals(body, in.readNBytes(LENGTH), "the whole body, once, in order, without the second head");
            tunnel.requests.poll(10, TimeUnit.SECONDS);
            String again = tunnel.requests.poll(10, TimeUnit.SECONDS);
            assertEquals("GET /f HTTP/1.1\r\nHost: t\r\nRange: bytes=" + cut + "-\r\nIf-Range: " + ETAG + "\r\n\r\n", again);
            app.close();
        } finally {
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void anAnswerForAnotherRangeResetsTheApp() throws Exception {
        byte[] body = body();
        int cut = 50_000;
        List<AutoCloseable> closing = new ArrayList<>();
        try (EventLoop loop = new EventLoop("relay-test").start();
             ScriptedTunnel tunnel = new ScriptedTunnel(List.of(firstCutAt(body, cut),
                     takeUp(body, "bytes 0-" + (LENGTH - 1) + "/" + LENGTH, cut)))) {
            HttpResumeFigures figures = new HttpResumeFigures();
            Socket app = app(loop, tunnel.address(), closing, figures);
            InputStream in = app.getInputStream();
            readHead(in);
            assertArrayEquals(java.util.Arrays.copyOf(body, cut), in.readNBytes(cut), "what came before the cut");
            assertThrows(java.net.SocketException.class, () -> in.read(), "then a reset: nothing of the wrong range reaches the app");
            tunnel.requests.poll(10, TimeUnit.SECONDS);
            String again = tunnel.requests.poll(10, TimeUnit.SECONDS);
            assertTrue(again != null && again.contains("Range: bytes=" + cut + "-\r\n"), "a take-up was asked for: " + again);
            assertEquals(1, loop.call(figures::refusedCount), "and refused");
            assertEquals(0, loop.call(figures::takenUpCount));
        } finally {
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }
}
