package io.roamtun.client.uplink;

import io.roamtun.engine.EngineContext;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import io.roamtun.testing.Await;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;

/** Just enough of a server-service for Uplink tests: a WELCOME for the first HELLO, and waiting for a session. */
final class FakeServerService {
    private FakeServerService() {}

    /** A WELCOME frame for a new random session. */
    static ByteBuffer welcome() {
        ByteBuffer frame = ByteBuffer.allocate(Wire.HEADER_BYTES + 200);
        FrameEncoder.welcome(frame, new Welcome(Wire.VERSION, 0, 1 << 20, Wire.MAX_PAYLOAD, SessionId.random(),
                new byte[Wire.SESSION_SECRET_BYTES], new byte[Wire.NONCE_BYTES]));
        return frame;
    }

    /** On a daemon thread: answers the first connection's HELLO with a WELCOME, then stays silent (no PONG). */
    static void welcomeOnce(ServerSocket listener) {
        Thread server = new Thread(() -> {
            try (Socket s = listener.accept()) {
                s.getInputStream().read(new byte[512]); // the HELLO (its content does not matter here)
                ByteBuffer frame = welcome();
                s.getOutputStream().write(frame.array(), 0, frame.position());
                Thread.sleep(30_000);
            } catch (Exception ignored) {
                // the test is over
            }
        }, "welcome");
        server.setDaemon(true);
        server.start();
    }

    /** Waits up to 10 s for the uplink to carry a session. */
    static void awaitActive(EngineContext engine, Uplink uplink) throws Exception {
        Await.until(10, "a session established", () -> engine.loop().call(uplink::state) == UplinkState.ACTIVE);
    }
}
