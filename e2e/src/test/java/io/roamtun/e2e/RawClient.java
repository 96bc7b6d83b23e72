package io.roamtun.e2e;

import io.roamtun.engine.resend.ResumeProof;
import io.roamtun.protocol.AnyFrame;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Hello;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Welcome;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.function.Predicate;

/**
 * A client that speaks frames by hand over plaintext, for tests that play a peer the real client never
 * is (a liar, an attacker replaying what it recorded): HELLO, RESUME with any proof, and what came back.
 */
final class RawClient {
    private RawClient() {}

    /** What a server said on one connection. */
    static final class Answer extends AnyFrame {
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

    static ByteBuffer hello(String credential) {
        Hello hello = new Hello(1, 1, 0, 512 << 10, Wire.MAX_PAYLOAD, credential);
        ByteBuffer frame = ByteBuffer.allocate(FrameEncoder.helloSize(hello));
        FrameEncoder.hello(frame, hello);
        return frame;
    }

    /** A RESUME of WELCOME's session proved with its secret and first nonce (plaintext: no channel binding). */
    static ByteBuffer resume(Welcome welcome, long received, long attempt, String credential) {
        byte[] proof = ResumeProof.compute(welcome.sessionSecret(), welcome.sessionId(), welcome.resumeNonce(), attempt, new byte[0]);
        Resume resume = new Resume(welcome.sessionId(), received, 0, attempt, proof, credential);
        ByteBuffer frame = ByteBuffer.allocate(FrameEncoder.resumeSize(resume));
        FrameEncoder.resume(frame, resume);
        return frame;
    }

    /** Sends {@code frame} on a new connection and reads frames until {@code done} says enough, or the server closes. */
    static Answer exchange(InetSocketAddress server, ByteBuffer frame, Predicate<Answer> done) throws IOException {
        Answer answer = new Answer();
        try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(frame.array(), 0, frame.position());
            readUntil(socket, answer, done);
        }
        return answer;
    }

    static void readUntil(Socket socket, Answer answer, Predicate<Answer> done) throws IOException {
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
        } catch (ProtocolException e) {
            throw new IOException(e);
        }
    }
}
