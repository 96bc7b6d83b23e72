package io.roamtun.client;

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
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running client-service's control socket: a Unix domain socket (mode 0600, in a 0700 directory)
 * that answers one line per connection: {@code status}, {@code reload}, or {@code switch IFNAME} (answered when the
 * switch is done). The reply's last line is {@code ok} or {@code error: ...}. One thread, one request at a time.
 */
final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final long SWITCH_TIMEOUT_SECONDS = 30;

    private final Path path;
    private final ServerSocketChannel channel;
    private final ClientService service;
    private final Thread thread;

    private AdminServer(Path path, ServerSocketChannel channel, ClientService service) {
        this.path = path;
        this.channel = channel;
        this.service = service;
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

    static AdminServer start(Path path, ClientService service) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir.equals(AdminClient.defaultDir().toAbsolutePath())) {
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
                throw new IOException("another client-service is running with admin socket " + path
                        + " (give this one --admin-socket PATH)");
            } catch (IOException stale) {
                if (stale.getMessage() != null && stale.getMessage().startsWith("another client-service")) {
                    throw stale;
                }
                Files.deleteIfExists(path); // left behind by an agent that died
            }
        }
        ServerSocketChannel channel = bindPrivately(dir, path);
        AdminServer server = new AdminServer(path, channel, service);
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
        request = request.trim();
        if (request.equals("status")) {
            reply = service.status() + "ok\n";
        } else if (request.equals("reload")) {
            String line = service.reloadNow();
            reply = line.startsWith("error: ") ? line + "\n" : line + "\nok\n";
        } else if (request.startsWith("switch ")) {
            String name = request.substring("switch ".length()).trim();
            try {
                reply = service.switchTo(name).get(SWITCH_TIMEOUT_SECONDS, TimeUnit.SECONDS) + "\nok\n";
            } catch (java.util.concurrent.ExecutionException e) {
                reply = "error: " + e.getCause().getMessage() + "\n";
            } catch (java.util.concurrent.TimeoutException e) {
                reply = "error: the switch to " + name + " did not complete within " + SWITCH_TIMEOUT_SECONDS + " s\n";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } else {
            reply = "error: unknown request '" + request + "' (status, switch IFNAME, reload)\n";
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
