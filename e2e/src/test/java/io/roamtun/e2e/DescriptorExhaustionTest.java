package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.protocol.AnyFrame;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import io.roamtun.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server out of file descriptors (EMFILE) cannot accept: the connection stays queued and the listening key
 * stays ready. It must pause accepting instead of spinning the loop with a log line per turn (a review saw
 * 103,656 lines and a whole core in 1.5 s), and accept again once descriptors are free.
 */
class DescriptorExhaustionTest {

    @Test
    @Timeout(90)
    void outOfDescriptorsTheServerPausesAcceptingAndRecovers() throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "ulimit -n 100 && exec \"$0\" \"$@\"",
                System.getProperty("java.home") + "/bin/java", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                "io.roamtun.server.ServerServiceMain", "--insecure-plaintext", "--listen", "127.0.0.1:0",
                "--service", "echo=127.0.0.1:1"));
        try (AgentProcess server = new AgentProcess(new ProcessBuilder(command).redirectErrorStream(true).start())) {
            int port = Integer.parseInt(server.await("listening on 127\\.0\\.0\\.1:(\\d+)", 30));
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            List<SocketChannel> hoard = new ArrayList<>();
            try {
                for (int i = 0; i < 150; i++) { // more than the server has descriptors for; they never say a word
                    SocketChannel c = SocketChannel.open();
                    c.configureBlocking(false);
                    c.connect(address);
                    hoard.add(c);
                }
                Await.until(Duration.ofSeconds(30), () -> server.output().contains("accept failed"),
                        () -> "the server never ran out of descriptors:\n" + server.output());
            } finally {
                for (SocketChannel c : hoard) {
                    c.close(); // the server reads their ends and frees its descriptors
                }
            }
            Await.until(Duration.ofSeconds(30), () -> sessionComesUp(address), () -> "no session after the descriptors came back:\n"
                    + server.output());
            long lines = server.output().lines().filter(line -> line.contains("accept failed")).count();
            assertTrue(lines <= 12, lines + " lines about failed accepts: a loop that spins logs one per turn\n"
                    + server.output().lines().limit(40).reduce("", (a, b) -> a + b + "\n"));
            assertTrue(server.isAlive(), server.output());
        }
    }

    /** HELLO on a new connection, answered with WELCOME. */
    private static boolean sessionComesUp(InetSocketAddress address) {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            ByteBuffer hello = ByteBuffer.allocate(64);
            FrameEncoder.hello(hello, new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""));
            s.getOutputStream().write(hello.array(), 0, hello.position());
            byte[] buf = new byte[FrameEncoder.WELCOME_FRAME_BYTES];
            int n = s.getInputStream().readNBytes(buf, 0, buf.length);
            Welcome[] welcome = new Welcome[1];
            new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(buf, 0, n), new AnyFrame() {
                @Override
                public void onWelcome(Welcome w) {
                    welcome[0] = w;
                }
            });
            return welcome[0] != null;
        } catch (Exception notYet) {
            return false;
        }
    }
}
