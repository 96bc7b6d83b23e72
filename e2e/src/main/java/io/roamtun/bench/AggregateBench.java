package io.roamtun.bench;

import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.Forward;
import io.roamtun.client.paths.Multipath;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.e2e.FaultProxy;
import io.roamtun.e2e.ScriptedInterfaces;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.protocol.PathControl;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One download striped over two paths: the client's two "interfaces" (127.0.0.2 and 127.0.0.3 in a scripted
 * table) reach the server through a proxy that paces what each receives, 5 MB/s and 2.5 MB/s (Wi-Fi 40 Mbit/s,
 * LTE 20 Mbit/s), and a backend sends 64 MiB. The row: MB/s with {@code --multipath off} on the faster path,
 * MB/s with {@code aggregate} over both, and the ratio.
 */
final class AggregateBench {
    private static final long FAST = 5_000_000;
    private static final long SLOW = 2_500_000;

    private AggregateBench() {}

    static String measure(long bytes) throws Exception {
        double alone = download(bytes, Multipath.OFF, List.of("lte0"));
        double both = download(bytes, new Multipath(PathControl.Mode.AGGREGATE, Multipath.DEFAULT_REDUNDANT_MAX), List.of());
        return String.format(Locale.ROOT, "%.1f MB/s over both, %.1f on the faster alone: %.2fx", both / 1e6, alone / 1e6, both / alone);
    }

    /** Bytes a second of one download of {@code bytes} through a client with {@code multipath}, {@code excluded} interfaces left out. */
    private static double download(long bytes, Multipath multipath, List<String> excluded) throws Exception {
        LinkSettings link = LinkSettings.forDeadAfter(Duration.ofSeconds(3), Duration.ofSeconds(10));
        ScriptedInterfaces interfaces = new ScriptedInterfaces().put("wifi0", 2, true, "127.0.0.2").put("lte0", 3, true, "127.0.0.3");
        try (ServerSocket source = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread sender = new Thread(() -> serve(source, bytes), "aggregate-source");
            sender.setDaemon(true);
            sender.start();
            try (ServerService server = ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                         new ServiceDirectory(Map.of("bulk", (InetSocketAddress) source.getLocalSocketAddress())), SessionSettings.defaults(),
                         link, Duration.ofMinutes(10)));
                 FaultProxy proxy = new FaultProxy(server.address())) {
                proxy.limitDownload(InetAddress.getByName("127.0.0.2"), FAST);
                proxy.limitDownload(InetAddress.getByName("127.0.0.3"), SLOW);
                try (ClientService client = ClientService.start(new ClientConfig(proxy.address(),
                        List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "bulk")), SessionSettings.defaults(),
                        link, interfaces, ClientConfig.DEFAULT_POLL_INTERVAL,
                        new PathPolicy(List.of("wifi0", "lte0"), excluded, List.of(), multipath), null))) {
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    while (!client.isConnected() || multipath.mode() != null && !client.status().contains("second link: lte0")) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("no second link: " + client.status());
                        }
                        Thread.sleep(10);
                    }
                    InetSocketAddress app = client.forwardAddresses().get(0);
                    try (Socket s = new Socket(app.getAddress(), app.getPort())) {
                        s.setSoTimeout(60_000);
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[256 * 1024];
                        long got = 0;
                        long start = System.nanoTime();
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            got += n;
                        }
                        long nanos = System.nanoTime() - start;
                        if (got != bytes) {
                            throw new IllegalStateException("received " + got + " of " + bytes + " bytes");
                        }
                        return got * 1e9 / nanos;
                    }
                }
            }
        }
    }

    private static void serve(ServerSocket source, long bytes) {
        try (Socket s = source.accept()) {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < bytes; sent += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
            }
        } catch (java.io.IOException ignored) {
            // the run reports what arrived
        }
    }
}
