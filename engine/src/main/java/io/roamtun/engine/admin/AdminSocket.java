package io.roamtun.engine.admin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent's control socket: a Unix domain socket (mode 0600, in a directory only its user may
 * write) that takes one request line per connection and answers with the agent's {@link Requests}; the
 * reply's last line is {@code ok} or {@code error: ...}. One thread, one request at a time.
 */
public final class AdminSocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminSocket.class);

    /** What an agent answers: the whole reply, ending in "ok\n" or an "error: ...\n" line. */
    @FunctionalInterface
    public interface Requests {
        String answer(String request) throws InterruptedException;
    }

    private final Path path;
    private final ServerSocketChannel channel;
    private final Requests requests;
    private final Thread thread;

    private AdminSocket(Path path, ServerSocketChannel channel, Requests requests) {
        this.path = path;
        this.channel = channel;
        this.requests = requests;
        this.thread = new Thread(this::serve, "admin-socket");
        this.thread.setDaemon(true);
    }

    /**
     * The directory of the socket, the default one (under /tmp when there is no XDG_RUNTIME_DIR) or one given
     * with --admin-socket, may have been made by another user, to take over the socket: it must be this
     * user's, and nobody else's to write.
     */
    private static void requireOwnPrivateDirectory(Path dir) throws IOException {
        String me = System.getProperty("user.name");
        String owner = Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName();
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode =
                Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        boolean othersWrite = mode.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                || mode.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        if (Files.isSymbolicLink(dir) || !owner.equals(me) || othersWrite) {
            throw new IOException("the admin socket directory " + dir + " is " + (Files.isSymbolicLink(dir) ? "a symbolic link"
                    : "owned by " + owner + " with mode " + PosixFilePermissions.toString(mode))
                    + ", not this user's alone: remove it, or give --admin-socket PATH");
        }
    }

    /** Opens the socket at {@code path} for {@code agent} ("client-service", "server-service"), answering with {@code requests}. */
    public static AdminSocket start(Path path, String agent, Requests requests) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir.equals(AdminSockets.defaultDir(agent).toAbsolutePath())) {
            try { // made here, or checked: never "made unless it exists", which another user could win
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException exists) {
                // checked below
            }
        } else if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        requireOwnPrivateDirectory(dir);
        if (Files.exists(path)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException("another " + agent + " is running with admin socket " + path
                        + " (give this one --admin-socket PATH" + (agent.equals("client-service") ? " or --instance NAME)" : ")"));
            } catch (IOException stale) {
                if (stale.getMessage() != null && stale.getMessage().startsWith("another " + agent)) {
                    throw stale;
                }
                Files.deleteIfExists(path); // left behind by an agent that died
            }
        }
        ServerSocketChannel channel = bindPrivately(dir, path);
        AdminSocket server = new AdminSocket(path, channel, requests);
        server.thread.start();
        log.info("admin socket {}", path);
        return server;
    }

    /**
     * Binds the socket in a fresh directory only this user can enter, makes it mode 0600 there, and only then
     * moves it to {@code path}: at no moment can another user connect to it (binding at {@code path} and
     * changing the mode afterwards left a window, as the socket's first mode follows the umask).
     */
    private static ServerSocketChannel bindPrivately(Path dir, Path path) throws IOException {
        Path staging = Files.createTempDirectory(dir, ".admin-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path inStaging = staging.resolve("socket");
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(inStaging));
            Files.setPosixFilePermissions(inStaging, PosixFilePermissions.fromString("rw-------"));
            Files.move(inStaging, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(inStaging);
            throw e;
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    private void serve() {
        while (channel.isOpen()) {
            try (SocketChannel client = channel.accept()) {
                handle(client);
            } catch (IOException e) {
                if (channel.isOpen()) {
                    log.debug("admin request failed: {}", e.getMessage());
                }
            }
        }
    }

    private void handle(SocketChannel client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
        OutputStream out = Channels.newOutputStream(client);
        String request = in.readLine();
        String reply;
        if (request == null) {
            return;
        }
        try {
            reply = requests.answer(request.trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        out.write(reply.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            channel.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("closing the admin socket: {}", e.getMessage());
        }
    }
}
