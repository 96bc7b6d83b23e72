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

    /** The folder of the default admin sockets: $XDG_RUNTIME_DIR/roamtun, else /tmp/roamtun-USER. */
    static Path defaultDir() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            return Path.of(runtime, "roamtun");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "roamtun-" + System.getProperty("user.name"));
    }

    /** The default admin socket of the instance named so: {@code defaultDir()/NAME.sock}. */
    static Path defaultSocket(String instance) {
        return defaultDir().resolve(instance + ".sock");
    }

    /** The name of the default instance (no --instance, no --config): its socket is client-service.sock. */
    static final String DEFAULT_INSTANCE = "client-service";

    /**
     * Which socket a control command without --admin-socket or --instance talks to: the only one in the
     * default folder; with several running, an error naming them (so a command never reaches the wrong one).
     */
    static Path findSocket() throws io.roamtun.engine.text.UsageException {
        java.util.List<String> running = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(defaultDir())) {
            files.filter(f -> f.getFileName().toString().endsWith(".sock"))
                    .forEach(f -> running.add(f.getFileName().toString().replaceFirst("\\.sock$", "")));
        } catch (IOException noFolder) {
            return defaultSocket(DEFAULT_INSTANCE);
        }
        if (running.size() > 1) {
            java.util.Collections.sort(running);
            throw new io.roamtun.engine.text.UsageException("several client-services run (" + String.join(", ", running)
                    + "): say which with --instance NAME");
        }
        return running.isEmpty() ? defaultSocket(DEFAULT_INSTANCE) : defaultDir().resolve(running.get(0) + ".sock");
    }
}
