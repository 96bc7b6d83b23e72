package io.roamtun.engine.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Where agents' admin sockets are by default, and the command side: one request, its reply printed. */
public final class AdminSockets {
    private AdminSockets() {}

    /** Sends one request and prints the reply; returns the exit code (0 when the reply ends in "ok"). */
    public static int run(Path socket, String request, String agent) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(java.nio.ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            InputStream in = Channels.newInputStream(channel);
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            boolean ok = reply.endsWith("ok\n");
            String shown = ok ? reply.substring(0, reply.length() - 3) : reply;
            (ok ? System.out : System.err).print(shown);
            return ok ? 0 : 1;
        } catch (IOException e) {
            System.err.println(agent + ": no " + agent + " answers on " + socket + " (" + e.getMessage()
                    + "); is it running, and with this --admin-socket?");
            return 1;
        }
    }

    /**
     * The folder of {@code agent}'s default admin sockets: $XDG_RUNTIME_DIR/roamtun (client-service) or
     * $XDG_RUNTIME_DIR/roamtun-server (server-service), else the same under /tmp with the user's name.
     */
    public static Path defaultDir(String agent) {
        String name = agent.equals("server-service") ? "roamtun-server" : "roamtun";
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            return Path.of(runtime, name);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), name + "-" + System.getProperty("user.name"));
    }

    /** The default admin socket of {@code agent}'s instance named so: {@code defaultDir(agent)/NAME.sock}. */
    public static Path defaultSocket(String agent, String instance) {
        return defaultDir(agent).resolve(instance + ".sock");
    }

    /**
     * Which socket a control command without --admin-socket or --instance talks to: the only one in the
     * default folder; with several running, an error naming them (so a command never reaches the wrong one).
     */
    public static Path findSocket(String agent) throws io.roamtun.engine.text.UsageException {
        java.util.List<String> running = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(defaultDir(agent))) {
            files.filter(f -> f.getFileName().toString().endsWith(".sock"))
                    .forEach(f -> running.add(f.getFileName().toString().replaceFirst("\\.sock$", "")));
        } catch (IOException noFolder) {
            return defaultSocket(agent, agent);
        }
        if (running.size() > 1) {
            java.util.Collections.sort(running);
            throw new io.roamtun.engine.text.UsageException("several " + agent + "s run (" + String.join(", ", running)
                    + "): say which with --instance NAME");
        }
        return running.isEmpty() ? defaultSocket(agent, agent) : defaultDir(agent).resolve(running.get(0) + ".sock");
    }

    /** {@code value} (maps, lists, strings, numbers) as indented JSON with a final newline: what status --json prints. */
    public static String json(Object value) {
        try {
            return com.fasterxml.jackson.jr.ob.JSON.std.with(com.fasterxml.jackson.jr.ob.JSON.Feature.PRETTY_PRINT_OUTPUT)
                    .asString(value) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("status is plain maps and numbers: " + e, e);
        }
    }
}
