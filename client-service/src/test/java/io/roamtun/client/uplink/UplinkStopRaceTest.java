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

/** A `client-service switch` handled while the service shuts down reaches Uplink.switchTo after stop(). */
class UplinkStopRaceTest {
    @Test
    void aSwitchAfterStopIsRefusedNotACrash() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens
        }
        InterfaceSnapshot eth = new InterfaceSnapshot("eth9", 9, true, false, false, 1500,
                List.of(InetAddress.getByName("127.0.0.1")));
        ClientConfig config = new ClientConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), List.of(),
                SessionSettings.defaults(), LinkSettings.forDeadAfter(Duration.ofSeconds(3), Duration.ofSeconds(10)),
                () -> List.of(eth), Duration.ofMillis(500), PathPolicy.any(), null);
        EngineContext engine = new EngineContext("stop-race", 64L << 20);
        engine.loop().start();
        try {
            Object thrown = engine.loop().call(() -> {
                Uplink uplink = new Uplink(engine, config);
                uplink.start(List.of(eth));
                uplink.stop();
                String[] outcome = new String[1];
                try {
                    uplink.switchTo("eth9", ok -> outcome[0] = "done", fail -> outcome[0] = "failed");
                } catch (RuntimeException e) {
                    return e.toString();
                }
                if (!"failed".equals(outcome[0])) {
                    return "the switch's caller was not told it failed: " + outcome[0];
                }
                return uplink.state() == UplinkState.STOPPED ? null : "state " + uplink.state();
            });
            assertNull(thrown, "switch after stop");
        } finally {
            engine.close();
        }
    }
}
