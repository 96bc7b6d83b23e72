package io.roamtun.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's "real server": answers every line with what it got and which connection it came on, so a
 * newcomer sees bytes go through both agents and back. {@code DemoBackend PORT}; prints "listening PORT".
 */
public final class DemoBackend {
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            System.out.println("listening " + server.getLocalPort());
            while (true) {
                Socket socket = server.accept();
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(socket, n), "demo-" + n);
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve(Socket socket, int n) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println("backend got '" + line + "' on connection " + n + " from " + socket.getRemoteSocketAddress());
            }
        } catch (IOException e) {
            // the demo client went away
        }
    }
}
