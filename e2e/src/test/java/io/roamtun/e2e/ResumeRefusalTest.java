package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.resend.ResumeProof;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.transport.TransportFactory;
import io.roamtun.protocol.AnyFrame;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.io.IOException;
import java.io.InputStream;
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

    /** What a server said on one connection. */
    private static final class Answer extends AnyFrame {
        Welcome welcome;
        ErrorCode goAway;
        boolean resumed;

        @Override
        public void onWelcome(Welcome w) {
            welcome = w;
        }

        @Override
        public void onGoAway(ErrorCode code, String message) {
            goAway = code;
        }

        @Override
        public void onResumed(long receivedOffset, long sentOffset, byte[] nextNonce) {
            resumed = true;
        }
    }

    /** Sends {@code frame} on a new connection and reads frames until {@code done} says enough, or the server closes. */
    private static Answer exchange(InetSocketAddress server, ByteBuffer frame, java.util.function.Predicate<Answer> done) throws IOException {
        Answer answer = new Answer();
        try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(frame.array(), 0, frame.position());
            InputStream in = socket.getInputStream();
            ByteBuffer received = ByteBuffer.allocate(64 * 1024);
            FrameDecoder decoder = new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD);
            while (!done.test(answer)) {
                int n = in.read(received.array(), received.position(), received.remaining());
                if (n < 0) {
                    break;
                }
                received.position(received.position() + n).flip();
                decoder.decode(received, answer);
                received.compact();
            }
        } catch (Exception e) {
            throw new IOException(e);
        }
        return answer;
    }

    private static ByteBuffer resume(Welcome welcome, long received) {
        byte[] proof = ResumeProof.compute(welcome.sessionSecret(), welcome.sessionId(), welcome.resumeNonce());
        Resume resume = new Resume(welcome.sessionId(), received, 0, proof);
        ByteBuffer frame = ByteBuffer.allocate(FrameEncoder.resumeSize(resume));
        FrameEncoder.resume(frame, resume);
        return frame;
    }

    @Test
    @Timeout(60)
    void aResumeRefusedForItsOffsetsEndsTheServersSession() throws Exception {
        LinkSettings link = LinkSettings.forDeadAfter(Duration.ofSeconds(30), Duration.ofSeconds(10));
        try (ServerService server = ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new ServiceDirectory(Map.of()), SessionSettings.defaults(), link, Duration.ofMinutes(5),
                TransportFactory.plaintext(), null, 10, 4, 100))) {
            ByteBuffer hello = ByteBuffer.allocate(64);
            FrameEncoder.hello(hello, new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""));
            Welcome welcome = exchange(server.address(), hello, a -> a.welcome != null).welcome;
            // The session is suspended now (its link closed). This RESUME claims bytes the server never sent.
            Answer lying = exchange(server.address(), resume(welcome, 4096), a -> a.goAway != null);
            assertEquals(ErrorCode.SEQUENCE_ERROR, lying.goAway);
            Answer honest = exchange(server.address(), resume(welcome, 0), a -> a.goAway != null || a.resumed);
            assertEquals(ErrorCode.UNKNOWN_SESSION, honest.goAway, "the session was ended by the refused RESUME");

            // A session still carried by a link: that link is told too (GOAWAY SEQUENCE_ERROR), not left on a
            // session whose buffers are gone.
            try (Socket carrier = new Socket(server.address().getAddress(), server.address().getPort())) {
                carrier.setSoTimeout(10_000);
                ByteBuffer hello2 = ByteBuffer.allocate(64);
                FrameEncoder.hello(hello2, new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, ""));
                carrier.getOutputStream().write(hello2.array(), 0, hello2.position());
                Answer onCarrier = new Answer();
                readUntil(carrier, onCarrier, a -> a.welcome != null);
                Answer lyingWhileActive = exchange(server.address(), resume(onCarrier.welcome, 4096), a -> a.goAway != null);
                assertEquals(ErrorCode.SEQUENCE_ERROR, lyingWhileActive.goAway);
                readUntil(carrier, onCarrier, a -> a.goAway != null);
                assertEquals(ErrorCode.SEQUENCE_ERROR, onCarrier.goAway, "the carrying link hears the session end");
            }
        }
    }

    private static void readUntil(Socket socket, Answer answer, java.util.function.Predicate<Answer> done) throws IOException {
        ByteBuffer received = ByteBuffer.allocate(64 * 1024);
        FrameDecoder decoder = new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD);
        InputStream in = socket.getInputStream();
        try {
            while (!done.test(answer)) {
                int n = in.read(received.array(), received.position(), received.remaining());
                if (n < 0) {
                    return;
                }
                received.position(received.position() + n).flip();
                decoder.decode(received, answer);
                received.compact();
            }
        } catch (io.roamtun.protocol.ProtocolException e) {
            throw new IOException(e);
        }
    }
}
