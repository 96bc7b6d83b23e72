package io.roamtun.client.uplink;

import io.roamtun.client.ClientConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.EngineContext;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.Wire;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * stop() while an attempt is mid-handshake (its connection up, HELLO received by the server, no answer) returns
 * without an exception; the test first proves the attempt really is at that point.
 */
class UplinkStopDuringAttemptTest {
    @Test
    void stopWhileAnAttemptWaitsForItsAnswer() throws Exception {
        // Accepts and reads the HELLO, never answers it.
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            CountDownLatch helloRead = new CountDownLatch(1);
            Thread server = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    byte[] header = s.getInputStream().readNBytes(Wire.HEADER_BYTES);
                    if (header.length == Wire.HEADER_BYTES && header[1] == FrameType.HELLO.code()) {
                        helloRead.countDown();
                    }
                    while (s.getInputStream().read() >= 0) {
                        continue; // the rest of the HELLO; never an answer, until the client goes away
                    }
                } catch (Exception ignored) {
                    // the test is over
                }
            }, "silent-server");
            server.setDaemon(true);
            server.start();
            InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500,
                    List.of(InetAddress.getByName("127.0.0.1")));
            ClientConfig config = new ClientConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()),
                    List.of(), SessionSettings.defaults(), LinkSettings.forDeadAfter(Duration.ofSeconds(3), Duration.ofSeconds(10)),
                    () -> List.of(eth), Duration.ofMillis(500), PathPolicy.any(), null);
            EngineContext engine = new EngineContext("stop-attempt", 64L << 20);
            engine.loop().start();
            try {
                Uplink uplink = engine.loop().call(() -> {
                    Uplink u = new Uplink(engine, config);
                    u.start(List.of(eth));
                    return u;
                });
                assertTrue(helloRead.await(10, TimeUnit.SECONDS), "the server read the attempt's HELLO");
                String attempt = engine.loop().call(uplink::attemptUnderWay);
                assertTrue(attempt != null && attempt.endsWith(" handshaking"), "mid-handshake: " + attempt);
                assertEquals(UplinkState.CONNECTING, engine.loop().call(uplink::state));
                Object thrown = engine.loop().call(() -> {
                    try {
                        uplink.stop();
                        return null;
                    } catch (RuntimeException e) {
                        return e.toString();
                    }
                });
                assertNull(thrown, "stop() during an attempt");
            } finally {
                engine.close();
            }
        }
    }
}
