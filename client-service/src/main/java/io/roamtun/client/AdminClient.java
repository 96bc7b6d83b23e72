package io.roamtun.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@code client-service status} and {@code client-service switch IFNAME}: ask the running agent. */
final class AdminClient {
    private AdminClient() {}

    /** Sends one request and prints the reply; returns the exit code (0 when the reply ends in "ok"). */
    static int run(Path socket, String request) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(java.nio.ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            InputStream in = Channels.newInputStream(channel);
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            boolean ok = reply.endsWith("ok\n");
            String shown = ok ? reply.substring(0, reply.length() - 3) : reply;
            (ok ? System.out : System.err).print(shown);
            return ok ? 0 : 1;
        } catch (IOException e) {
            System.err.println("client-service: no client-service answers on " + socket + " (" + e.getMessage()
                    + "); is it running, and with this --admin-socket?");
            return 1;
        }
    }

    /** $XDG_RUNTIME_DIR/roamtun/client-service.sock, else /tmp/roamtun-USER/client-service.sock. */
    static Path defaultSocket() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            return Path.of(runtime, "roamtun", "client-service.sock");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "roamtun-" + System.getProperty("user.name"), "client-service.sock");
    }
}
