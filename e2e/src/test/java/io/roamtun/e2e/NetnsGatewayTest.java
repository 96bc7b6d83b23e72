package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway mode in the namespace lab: the client-service's forward listens on the mobile host's LAN address
 * (wlan0, 192.0.2.2) for other devices; the router's namespace plays two of them, one allowed by
 * --allow-from and one not. The allowed one downloads through the tunnel with curl, the other is refused
 * and counted; when wlan0 loses its address the forward stops listening, and when the address comes back
 * it listens again and serves the device again.
 */
class NetnsGatewayTest {
    private static final String ALLOWED_DEVICE = "192.0.2.1";
    private static final String OTHER_DEVICE = "192.0.2.50";

    /** curl run on the router (the LAN's devices) from {@code source}; its exit code and output. */
    private static String[] curlFrom(NetnsLab lab, String source, String url) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.router, "curl", "--silent", "--show-error",
                "--max-time", "20", "--interface", source, url));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {String.valueOf(p.waitFor()), out};
    }

    /** One datagram from {@code source} on the router to the forwarded UDP port; the answer ("" when none within a second). */
    private static String udpFrom(NetnsLab lab, String source, String text) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", lab.router, ExternalTools.require("socat"), "-T", "1", "-",
                "UDP4:" + NetnsLab.WLAN_ADDRESS + ":8053,bind=" + source).redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    @Timeout(240)
    void devicesOnTheLanReachTheForwardOnlyFromAllowedAddressesAndAgainWhenTheAddressReturns(@TempDir Path dir) throws Exception {
        NetnsHandoverTest.requireRootAndTools();
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("hello.txt"), "hello from the backend\n");
        Path socket = dir.resolve("admin.sock");
        Path clientLog = dir.resolve("client-service.log");
        try (NetnsLab lab = new NetnsLab()) {
            lab.ip("-n", lab.router, "addr", "add", OTHER_DEVICE + "/24", "dev", "r-wlan");
            lab.start(lab.server, dir.resolve("http.log"), List.of("python3", "-m", "http.server", "8000", "--bind", "127.0.0.1",
                    "--directory", www.toString()));
            lab.start(lab.server, dir.resolve("server-service.log"), NetnsHandoverTest.java("io.roamtun.server.ServerServiceMain",
                    "--insecure-plaintext", "--listen", NetnsLab.SERVER_ADDRESS + ":7000", "--service", "web=127.0.0.1:8000",
                    "--udp-service", "uecho=127.0.0.1:8002", "--dead-after", "1500ms"));
            lab.start(lab.server, dir.resolve("udp-echo.log"), NetnsHandoverTest.java(NetnsHelpers.UdpEcho.class.getName(), "8002"));
            NetnsHandoverTest.awaitLog(dir.resolve("server-service.log"), "listening on", 30);
            lab.start(lab.mobile, clientLog, NetnsHandoverTest.java("io.roamtun.client.ClientServiceMain",
                    "--insecure-plaintext", "--server", NetnsLab.SERVER_ADDRESS + ":7000",
                    "--forward", NetnsLab.WLAN_ADDRESS + ":8080=web", "--forward-udp", NetnsLab.WLAN_ADDRESS + ":8053=uecho",
                    "--allow-from", ALLOWED_DEVICE + "/32",
                    "--prefer", "wlan0,wwan0", "--poll-interval", "250ms", "--dead-after", "1500ms",
                    "--admin-socket", socket.toString()));
            NetnsHandoverTest.awaitLog(clientLog, "session \\w+ established", 30);
            String url = "http://" + NetnsLab.WLAN_ADDRESS + ":8080/hello.txt";

            String[] allowed = curlFrom(lab, ALLOWED_DEVICE, url);
            assertEquals("0", allowed[0], allowed[1]);
            assertEquals("hello from the backend\n", allowed[1]);
            String[] other = curlFrom(lab, OTHER_DEVICE, url);
            assertNotEquals("0", other[0], "a device outside --allow-from is refused: " + other[1]);
            String status = NetnsHandoverTest.admin(socket, "status");
            assertTrue(status.contains("gateway: forwards open to " + ALLOWED_DEVICE + "/32 and this machine; 1 connections refused"),
                    status);
            NetnsHandoverTest.awaitLog(clientLog, "connection from " + OTHER_DEVICE.replace(".", "\\.") + " refused: not in --allow-from", 10);

            // UDP obeys --allow-from as well: the allowed device gets its answer, the other none.
            assertEquals("ping-from-allowed", udpFrom(lab, ALLOWED_DEVICE, "ping-from-allowed"));
            assertEquals("", udpFrom(lab, OTHER_DEVICE, "ping-from-other"), "a datagram from outside --allow-from is dropped");
            Await.until(Duration.ofSeconds(10), "the refused datagram counted in status",
                    () -> NetnsHandoverTest.admin(socket, "status").contains("1 datagrams refused (not in --allow-from)"));

            // The LAN goes away (the address is removed), then comes back: the forward follows its address.
            lab.ip("-n", lab.mobile, "addr", "del", NetnsLab.WLAN_ADDRESS + "/24", "dev", "wlan0");
            NetnsHandoverTest.awaitLog(clientLog, "its address left the machine; stopped listening", 20);
            Await.until(Duration.ofSeconds(10), "status shows the forward waiting",
                    () -> NetnsHandoverTest.admin(socket, "status").contains(": waiting for its address"));
            lab.restoreWlan();
            NetnsHandoverTest.awaitLog(clientLog, "its address is back; listening again", 20);
            String[] again = curlFrom(lab, ALLOWED_DEVICE, url);
            assertEquals("0", again[0], again[1]);
            assertEquals("hello from the backend\n", again[1]);
        }
    }
}
