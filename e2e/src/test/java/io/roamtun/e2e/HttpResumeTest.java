package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * --http-resume: curl downloads a file from nginx through a fleet of two nodes; the node carrying the
 * download is killed (SIGKILL) halfway, its session is lost for good, and the client takes the download
 * up on a new session at the byte curl has, with a Range request: curl exits 0 with the right SHA-256. When
 * the file changed meanwhile, nginx answers 200 to the If-Range request and curl's connection is reset:
 * a failed download, never a corrupt file.
 */
class HttpResumeTest {
    private static final int SIZE = 24 << 20;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<Process> programs = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : programs) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private <T extends AutoCloseable> T started(T thing) {
        started.add(thing);
        return thing;
    }

    /** nginx serving {@code www}, the fleet behind HAProxy (n1 first), and a client forwarding {@code port} with --http-resume. */
    private record Rig(AgentProcess[] nodes, AgentProcess client, int port) {}

    private Rig rig(Path dir, Path www) throws Exception {
        String nginx = ExternalTools.require("nginx");
        // nginx's worker is not root: it must be able to walk to the files (a JUnit temp dir is the owner's alone)
        for (Path open : List.of(dir, www)) {
            Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String haproxy = ExternalTools.require("haproxy");
        int web = Fleet.freePort();
        Files.createDirectories(dir.resolve("nginx-tmp"));
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n", "daemon off;", "worker_processes 1;",
                "pid " + dir.resolve("nginx.pid") + ";", "error_log " + dir.resolve("nginx-error.log") + ";", "events {}", "http {",
                "  log_format takeup '$request_method $uri range=$http_range if-range=$http_if_range status=$status';",
                "  access_log " + dir.resolve("access.log") + " takeup;", "  client_body_temp_path " + dir.resolve("nginx-tmp") + ";",
                "  proxy_temp_path " + dir.resolve("nginx-tmp") + ";", "  fastcgi_temp_path " + dir.resolve("nginx-tmp") + ";",
                "  uwsgi_temp_path " + dir.resolve("nginx-tmp") + ";", "  scgi_temp_path " + dir.resolve("nginx-tmp") + ";",
                // Slowed down at the server, so what is in flight when the node dies is a sliver, not the rest of the file
                "  server { listen 127.0.0.1:" + web + "; root " + www + "; limit_rate 4m; }", "}", ""));
        Process server = new ProcessBuilder(nginx, "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        programs.add(server);
        Await.until(Duration.ofSeconds(10), "nginx listening", () -> {
            try (java.net.Socket probe = new java.net.Socket(InetAddress.getLoopbackAddress(), web)) {
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
        Fleet fleet = Fleet.start(dir, 2, "web=127.0.0.1:" + web, started);
        int front = Fleet.freePort();
        started(new Haproxy(haproxy, dir.resolve("haproxy.cfg"), front)).start("first", fleet.ports);
        int port = Fleet.freePort();
        AgentProcess client = fleet.client(front, "--forward", port + "=web", "--http-resume", String.valueOf(port),
                "--admin-socket", dir.resolve("client.sock").toString());
        client.await("session \\w+ established", 30);
        return new Rig(fleet.nodes, client, port);
    }

    /** curl downloading {@code name} to {@code out}. */
    private Process curl(Rig rig, String name, Path out) throws IOException {
        Process curl = new ProcessBuilder(ExternalTools.require("curl"), "--silent", "--show-error", "--fail",
                "-o", out.toString(), "http://127.0.0.1:" + rig.port() + "/" + name).redirectErrorStream(true).start();
        programs.add(curl);
        return curl;
    }

    /** Waits until a quarter of the file is in, then kills n1, which holds the session. */
    private static void killTheNodeHalfway(Rig rig, Path out) throws Exception {
        Await.until(Duration.ofSeconds(30), "a quarter of the download", () -> Files.exists(out) && Files.size(out) > SIZE / 4);
        rig.nodes()[0].signal("KILL");
        rig.nodes()[0].waitFor(30);
    }

    private record Download(byte[] file, Path www, Rig rig, Path out, Process curl) {}

    /** A random file of {@link #SIZE} bytes served by nginx, the rig, and curl downloading it. */
    private Download startDownload(Path dir, long seed) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] file = new byte[SIZE];
        new Random(seed).nextBytes(file);
        Files.write(www.resolve("big.bin"), file);
        Rig rig = rig(dir, www);
        Path out = dir.resolve("download.bin");
        return new Download(file, www, rig, out, curl(rig, "big.bin", out));
    }

    @Test
    @Timeout(180)
    void aDownloadWhoseNodeDiedIsTakenUpOnAnotherAndCompletes(@TempDir Path dir) throws Exception {
        Download d = startDownload(dir, 11);
        byte[] file = d.file();
        Rig rig = d.rig();
        Path out = d.out();
        Process curl = d.curl();
        killTheNodeHalfway(rig, out);
        assertTrue(curl.waitFor(120, TimeUnit.SECONDS), "curl finished");
        String said = new String(curl.getInputStream().readAllBytes());
        assertEquals(0, curl.exitValue(), "curl: " + said + "\nclient:\n" + rig.client().output());
        assertEquals(sha256(file), sha256(Files.readAllBytes(out)));
        String log = rig.client().output();
        assertTrue(log.contains("is lost: its node n1") && log.matches("(?s).*download taken up at byte \\d+ of " + SIZE + ".*"), log);
        assertTrue(NetnsHandoverTest.admin(dir.resolve("client.sock"), "status json").contains("\"http_downloads_taken_up\" : 1"));
    }

    @Test
    @Timeout(180)
    void aFileChangedMeanwhileEndsInAResetNotACorruptFile(@TempDir Path dir) throws Exception {
        Download d = startDownload(dir, 12);
        byte[] file = d.file();
        Path www = d.www();
        Rig rig = d.rig();
        Path out = d.out();
        Process curl = d.curl();
        Await.until(Duration.ofSeconds(30), "the download under way", () -> Files.exists(out) && Files.size(out) > SIZE / 8);
        byte[] changed = file.clone(); // the same size: only If-Range (nginx's ETag is mtime and size) tells the change
        changed[SIZE / 2] ^= 1;
        Files.write(dir.resolve("big.new"), changed);
        Files.setLastModifiedTime(dir.resolve("big.new"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Files.move(dir.resolve("big.new"), www.resolve("big.bin"), StandardCopyOption.ATOMIC_MOVE); // the open file goes on
        killTheNodeHalfway(rig, out);
        assertTrue(curl.waitFor(120, TimeUnit.SECONDS), "curl finished");
        assertNotEquals(0, curl.exitValue(), "the download failed: " + new String(curl.getInputStream().readAllBytes()));
        byte[] got = Files.readAllBytes(out);
        assertTrue(got.length < SIZE, "cut short: " + got.length);
        assertArrayEquals(Arrays.copyOf(file, got.length), got, "what curl has is a prefix of the file it asked for: nothing spliced in");
        assertTrue(rig.client().output().contains("could not be taken up at byte"), rig.client().output());
        Await.until(Duration.ofSeconds(10), "nginx logged the take-up", () -> Files.readString(dir.resolve("access.log"))
                .matches("(?s).*GET /big.bin range=bytes=\\d+- if-range=\\\\x22[0-9a-f]+-[0-9a-f]+\\\\x22 status=200.*")); // (nginx writes a quote as \\x22)
        assertTrue(NetnsHandoverTest.admin(dir.resolve("client.sock"), "status").contains("http downloads taken up after a lost session: 0 (1 could not be"));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
