package io.roamtun.bench;

import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.FrameHandler;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One server-service carrying many clients: {@code clients} sessions, each opening {@code streamsPerClient}
 * streams to the backend's hold service, made by a client that speaks the wire protocol itself (one
 * socket per session, from this JVM: hundreds of client-service JVMs would measure the JVMs, not the
 * server). The figures are the server's: its memory with everything open, per client, and the CPU time it
 * spent per client to set up a session and its streams. The server and its backend run with a file limit
 * that fits every stream (prlimit; as root, as CI is).
 */
final class ManyClientsBench {
    private ManyClientsBench() {}

    record Figures(int clients, int streams, int streamsOpen, double rssMiB, double heapMiB, double kibPerClient, double cpuMsPerClient) {
        String describe() {
            return streamsOpen == clients * streams ? "yes, " + streamsOpen : "NO: " + streamsOpen + " of " + clients * streams;
        }
    }

    /** Counts OPEN_OKs; the rest of what the server says is read and dropped. */
    private static final class Counting implements FrameHandler {
        int openOks;
        int refusals;
        Welcome welcome;
        ErrorCode goAway;

        @Override public boolean admitSequenced(FrameType type, long seq, int frameBytes) { return true; }
        @Override public void onHello(Hello hello) {}
        @Override public void onWelcome(Welcome w) { welcome = w; }
        @Override public void onOpen(int streamId, String service) {}
        @Override public void onOpenOk(int streamId) { openOks++; }
        @Override public void onOpenFail(int streamId, ErrorCode code, String message) { refusals++; }
        @Override public void onData(int streamId, ByteBuffer payload) {}
        @Override public void onFin(int streamId) {}
        @Override public void onReset(int streamId, ErrorCode code) { refusals++; }
        @Override public void onWindowUpdate(int streamId, int increment) {}
        @Override public void onPing(long opaque) {}
        @Override public void onPong(long opaque) {}
        @Override public void onAck(long receivedOffset) {}
        @Override public void onGoAway(ErrorCode code, String message) { goAway = code; }
        @Override public void onResume(Resume resume) {}
        @Override public void onResumed(long receivedOffset, long sentOffset, byte[] nextNonce) {}
        @Override public void onDatagram(int flowId, ByteBuffer payload) {}
    }

    private record Client(Socket socket, FrameDecoder decoder, Counting frames, ByteBuffer in) {}

    /**
     * Streams per client that fit: {@code wanted}, where the file limit can be raised for the server and its
     * backend (prlimit, with the right to raise it); else as many as this machine's limit leaves room for.
     */
    static int streamsThatFit(int clients, int wanted) {
        if (RAISED_LIMIT.isEmpty()) {
            long max = ((com.sun.management.UnixOperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getMaxFileDescriptorCount();
            return (int) Math.max(1, Math.min(wanted, (max - 1000) / clients));
        }
        return wanted;
    }

    /** The prefix that raises the server's and backend's file limit, or none where prlimit is missing or may not. */
    private static final List<String> RAISED_LIMIT = raisedLimit();

    private static List<String> raisedLimit() {
        String prlimit = Processes.find("prlimit");
        if (prlimit == null) {
            return List.of();
        }
        List<String> prefix = List.of(prlimit, "--nofile=262144:262144", "--");
        try {
            List<String> probe = new ArrayList<>(prefix);
            probe.add("true");
            Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? prefix : List.of();
        } catch (IOException | InterruptedException e) {
            return List.of();
        }
    }

    static Figures measure(Path work, int clients, int streamsPerClient) throws Exception {
        List<String> limit = RAISED_LIMIT;
        Process backend = Processes.start(work.resolve("many-backend.log"), withLimit(limit, Processes.javaCommand(List.of("-Xmx512m",
                "-XX:+UseSerialGC"), BenchBackend.class.getName())));
        Process server = null;
        List<Client> open = new ArrayList<>();
        try {
            int backendPort = Integer.parseInt(Processes.awaitLine(work.resolve("many-backend.log"), backend, "listening (\\d+)", 30));
            int serverPort = Processes.freePort();
            server = Processes.start(work.resolve("many-server.log"), withLimit(limit, Processes.javaCommand(Paths.Roamtun.AGENT_JVM,
                    "io.roamtun.server.ServerServiceMain", "--insecure-plaintext", "--listen", "127.0.0.1:" + serverPort,
                    "--service", "hold=127.0.0.1:" + backendPort, "--dead-after", "300s", "--max-buffer-memory", "1GiB",
                    "--max-pending", "100", "--max-sessions", String.valueOf(clients + 100),
                    "--max-streams-per-client", String.valueOf(clients * streamsPerClient + 100))));
            Processes.awaitLine(work.resolve("many-server.log"), server, "listening on", 30);
            Thread.sleep(500);
            long rssBefore = Processes.treeRss(server.pid());
            long cpuBefore = Processes.cpuNanos(server.pid());
            InetSocketAddress address = new InetSocketAddress(Paths.LOOPBACK, serverPort);
            for (int c = 0; c < clients; c++) {
                open.add(connect(address));
            }
            for (Client client : open) {
                openStreams(client, streamsPerClient);
            }
            int streamsOpen = 0;
            for (Client client : open) {
                awaitOpenOks(client, streamsPerClient);
                streamsOpen += client.frames().openOks;
            }
            long cpu = Processes.cpuNanos(server.pid()) - cpuBefore;
            Thread.sleep(300);
            long rss = Processes.treeRss(server.pid());
            long heap = Processes.heapUsedAfterGc(server.pid());
            return new Figures(clients, streamsPerClient, streamsOpen, rss / 1048576.0, heap / 1048576.0,
                    Math.max(0, rss - rssBefore) / 1024.0 / clients, cpu / 1e6 / clients);
        } finally {
            for (Client client : open) {
                client.socket().close();
            }
            if (server != null) {
                Processes.stop(server);
            }
            Processes.stop(backend);
        }
    }

    private static String[] withLimit(List<String> limit, List<String> command) {
        List<String> all = new ArrayList<>(limit);
        all.addAll(command);
        return all.toArray(String[]::new);
    }

    private static Client connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket(address.getAddress(), address.getPort());
        s.setSoTimeout(60_000);
        Hello hello = new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, "");
        ByteBuffer frame = ByteBuffer.allocate(FrameEncoder.helloSize(hello));
        FrameEncoder.hello(frame, hello);
        s.getOutputStream().write(frame.array(), 0, frame.position());
        Client client = new Client(s, new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD), new Counting(), ByteBuffer.allocate(1 << 17));
        while (client.frames().welcome == null) {
            readSome(client);
        }
        return client;
    }

    /** OPEN and a one-byte DATA ('H': hold) for each stream, numbered as a client numbers them, in one write. */
    private static void openStreams(Client client, int streams) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(streams * (FrameEncoder.openSize("hold") + Wire.HEADER_BYTES + 1));
        long seq = 0;
        for (int i = 0; i < streams; i++) {
            int id = 1 + 2 * i;
            FrameEncoder.open(out, seq, id, "hold");
            seq += FrameEncoder.openSize("hold");
            FrameEncoder.dataHeader(out, seq, id, 1);
            out.put((byte) 'H');
            seq += Wire.HEADER_BYTES + 1;
        }
        client.socket().getOutputStream().write(out.array(), 0, out.position());
    }

    private static void awaitOpenOks(Client client, int streams) throws IOException {
        while (client.frames().openOks + client.frames().refusals < streams && client.frames().goAway == null) {
            readSome(client);
        }
    }

    private static void readSome(Client client) throws IOException {
        ByteBuffer in = client.in();
        int n = client.socket().getInputStream().read(in.array(), in.position(), in.remaining());
        if (n < 0) {
            throw new IOException("the server closed a client's link");
        }
        in.position(in.position() + n).flip();
        try {
            client.decoder().decode(in, client.frames());
        } catch (io.roamtun.protocol.ProtocolException e) {
            throw new IOException(e);
        }
        in.compact();
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
