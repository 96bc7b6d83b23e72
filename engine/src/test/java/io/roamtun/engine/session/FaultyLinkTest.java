package io.roamtun.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.transport.FaultyTransport;
import io.roamtun.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A download over links that split every read and write at random places and die after a few MiB, one
 * after another: each death suspends the session, the next link resumes it, and the app gets every byte
 * once and in order. Fault injection below the link, with the real session, link and resend code above.
 */
class FaultyLinkTest {
    private static final SessionSettings SETTINGS = new SessionSettings(4 << 20, 512 << 10, 100, Duration.ofSeconds(5), 256L << 20);

    @Test
    @Timeout(120)
    void aDownloadOverLinksThatSplitAndDieArrivesWholeAndInOrder() throws Exception {
        try (ServerSocket backend = MoveAcknowledgementTest.bulkBackend();
             TwoAgents a = new TwoAgents(SETTINGS, Map.of("bulk", (InetSocketAddress) backend.getLocalSocketAddress()), 0);
             ServerSocketChannel fwd = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket app = new Socket()) {
            long[] seed = {1};
            // Each link moves 1 to 4 MiB (both ways together) in pieces of 1 to 1,500 bytes, then fails.
            a.clientTransport = t -> new FaultyTransport(t, seed[0], 1500, (1L << 20) * (1 + seed[0] % 4));
            a.connect(a.serverAddress(), "l1");
            Await.until(Duration.ofSeconds(10), "WELCOME", () -> a.cl.call(() -> a.client.id() != null));
            app.connect(fwd.getLocalAddress());
            a.openStream(fwd.accept(), "bulk");
            MoveAcknowledgementTest.AppReader reader = new MoveAcknowledgementTest.AppReader(app);
            int links = 1;
            while (reader.read.get() < MoveAcknowledgementTest.SIZE && links < 40) {
                Await.until(Duration.ofSeconds(30), "the download to finish or the link to die", () -> reader.read.get()
                        >= MoveAcknowledgementTest.SIZE || a.cl.call(() -> a.client.state() == SessionState.SUSPENDED));
                if (a.cl.call(() -> a.client.state() == SessionState.SUSPENDED)) {
                    seed[0]++;
                    links++;
                    a.connect(a.serverAddress(), "l" + links);
                    int expected = links;
                    Await.until(Duration.ofSeconds(10), "resumed on link " + links, () -> a.cl.call(() -> a.client.state()
                            == SessionState.ACTIVE && a.client.resumes() == expected - 1));
                }
            }
            assertEquals(MoveAcknowledgementTest.SIZE, reader.read.get(), "every byte arrived; events " + a.events);
            assertEquals(-1, reader.firstBad.get(), "in order, none twice");
            int resumes = a.cl.call(a.client::resumes);
            assertTrue(resumes >= 3, "the links really died and the session resumed: " + resumes + " resumes");
            assertTrue(a.events.stream().anyMatch(e -> e.contains("injected")), "the faults were the injected ones: " + a.events);
        }
    }
}
