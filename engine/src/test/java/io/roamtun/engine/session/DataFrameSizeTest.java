package io.roamtun.engine.session;

import static io.roamtun.engine.session.OnLoop.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.link.Link;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.engine.transport.SegmentSizes;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Wire;
import io.roamtun.testing.Await;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A sender's DATA frames carry at most {@link SegmentSizes#DATA_PAYLOAD}, below the 65,536 the peer allows:
 * written alone to a loopback socket such a payload fills one segment instead of spilling a sliver into a
 * second, and on a TLS link a full frame is exactly four records.
 */
class DataFrameSizeTest {
    private static final LinkSettings LINK = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));

    private static Session session(EventLoop loop, Role role) {
        return new Session(loop, role, SessionSettings.defaults(), new BufferPool(256 * 1024, 8), new BufferPool(16 * 1024, 8), null,
                ServiceDirectory.empty(), (s, r) -> { }, role.name().toLowerCase());
    }

    @Test
    void aBulkReadIsCutIntoFramesThatFitALoopbackSegment() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start();
             ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Session client = on(loop, () -> {
                Session server = session(loop, Role.SERVER);
                Session c = session(loop, Role.CLIENT);
                c.acceptWelcome(server.acceptHello(new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""),
                        new Link(loop, new RecordingTransport(), Role.SERVER, LINK, (l, code, r, b) -> { }, "s0"), ""),
                        new Link(loop, new RecordingTransport(), Role.CLIENT, LINK, (l, code, r, b) -> { }, "c0"));
                return c;
            });
            int sent = 200_000;
            try (Socket app = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) listener.getLocalAddress()).getPort())) {
                OutputStream out = app.getOutputStream();
                out.write(new byte[sent]);
                out.flush();
                SocketChannel accepted = listener.accept();
                accepted.configureBlocking(false);
                on(loop, () -> {
                    client.openStream(accepted, "echo");
                    return null;
                });
                Await.until(Duration.ofSeconds(5), "all the app's bytes in frames",
                        () -> on(loop, () -> dataPayloads(client.replay())).stream().mapToInt(Integer::intValue).sum() == sent);
                // A read takes what the socket holds, so only the first frame is sure to be full.
                List<Integer> payloads = on(loop, () -> dataPayloads(client.replay()));
                assertEquals(SegmentSizes.DATA_PAYLOAD, payloads.get(0), "the first frame, full: " + payloads);
                assertTrue(payloads.stream().allMatch(p -> p <= SegmentSizes.DATA_PAYLOAD), "none larger: " + payloads);
            }
        }
    }

    /** The payload sizes of the DATA frames in {@code replay}, in order (the OPEN before them is skipped). */
    private static List<Integer> dataPayloads(ReplayBuffer replay) {
        List<Integer> payloads = new ArrayList<>();
        for (long at = replay.acked(); at < replay.head(); at += replay.frameBytesAt(at)) {
            if (replay.describeFrameAt(at).startsWith(">> DATA ")) {
                payloads.add(replay.frameBytesAt(at) - Wire.HEADER_BYTES);
            }
        }
        return payloads;
    }
}
