package io.roamtun.client.uplink;

import io.roamtun.client.ClientConfig;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.roamtun.client.paths.InterfaceSnapshot;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.EngineContext;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.SessionSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** stop() while an attempt's connection is up (HELLO sent, no answer yet) returns without an exception. */
class UplinkStopDuringAttemptTest {
    @Test
    void stopWhileAnAttemptWaitsForItsAnswer() throws Exception {
        // Listens but never accepts: the kernel completes the connection, nobody answers the HELLO.
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
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
                Thread.sleep(300); // connected, HELLO written
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
