package io.roamtun.e2e;

import static io.roamtun.e2e.RawClient.exchange;
import static io.roamtun.e2e.RawClient.hello;
import static io.roamtun.e2e.RawClient.readUntil;
import static io.roamtun.e2e.RawClient.resume;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.transport.TransportFactory;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.Welcome;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A RESUME whose offsets the server cannot serve (GOAWAY SEQUENCE_ERROR) ends the session on the server at
 * once, as it does on the client: a second, well-formed RESUME of the same session finds none
 * (UNKNOWN_SESSION) instead of a session left open with its backend connections until it expires.
 * Plaintext, so this test can speak frames and read WELCOME's secret directly.
 */
class ResumeRefusalTest {

    @Test
    @Timeout(60)
    void aResumeRefusedForItsOffsetsEndsTheServersSession() throws Exception {
        LinkSettings link = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));
        try (ServerService server = ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), link, Duration.ofMinutes(5),
                TransportFactory.plaintext(), null, 10, 4, 100))) {
            Welcome welcome = exchange(server.address(), hello(""), a -> a.welcome != null).welcome;
            // The session is suspended now (its link closed). This RESUME claims bytes the server never sent.
            RawClient.Answer lying = exchange(server.address(), resume(welcome, 4096, 1, ""), a -> a.goAway != null);
            assertEquals(ErrorCode.SEQUENCE_ERROR, lying.goAway);
            RawClient.Answer honest = exchange(server.address(), resume(welcome, 0, 1, ""), a -> a.goAway != null || a.resumed);
            assertEquals(ErrorCode.UNKNOWN_SESSION, honest.goAway, "the session was ended by the refused RESUME");

            // A session still carried by a link: that link is told too (GOAWAY SEQUENCE_ERROR), not left on a
            // session whose buffers are gone.
            try (Socket carrier = new Socket(server.address().getAddress(), server.address().getPort())) {
                carrier.setSoTimeout(10_000);
                ByteBuffer hello2 = hello("");
                carrier.getOutputStream().write(hello2.array(), 0, hello2.position());
                RawClient.Answer onCarrier = new RawClient.Answer();
                readUntil(carrier, onCarrier, a -> a.welcome != null);
                RawClient.Answer lyingWhileActive = exchange(server.address(), resume(onCarrier.welcome, 4096, 1, ""), a -> a.goAway != null);
                assertEquals(ErrorCode.SEQUENCE_ERROR, lyingWhileActive.goAway);
                readUntil(carrier, onCarrier, a -> a.goAway != null);
                assertEquals(ErrorCode.SEQUENCE_ERROR, onCarrier.goAway, "the carrying link hears the session end");
            }
        }
    }
}
