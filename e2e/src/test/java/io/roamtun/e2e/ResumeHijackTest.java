package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.testing.Await;
import io.roamtun.protocol.AnyFrame;
import io.roamtun.client.ClientConfig;
import io.roamtun.client.ClientService;
import io.roamtun.client.Forward;
import io.roamtun.client.paths.PathPolicy;
import io.roamtun.engine.link.LinkSettings;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.session.SessionSettings;
import io.roamtun.engine.transport.TransportFactory;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.Resume;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.SessionId;
import io.roamtun.protocol.Wire;
import io.roamtun.server.ClientCredentials;
import io.roamtun.server.ServerConfig;
import io.roamtun.server.ServerService;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stolen session id is worth nothing: a RESUME with the right id and a wrong proof is refused and the
 * real session carries on untouched; the real client, with the right proof, takes its session over.
 * (Plaintext here, so the attacker can speak frames directly; the proof is the same under TLS.)
 */
class ResumeHijackTest {

    @Test
    @Timeout(60)
    void aResumeWithAStolenIdButNoSecretIsRefusedAndTheRealClientCanStillMove(@TempDir Path tmp) throws Exception {
        ClientCredentials clients = new ClientCredentials(tmp.resolve("clients.properties"));
        String credential = ClientCredentials.add(clients.file(), "laptop", List.of());
        LinkSettings link = LinkSettings.forDeadAfter(Duration.ofSeconds(3), Duration.ofSeconds(10));
        ScriptedInterfaces interfaces = new ScriptedInterfaces().put("wifi0", 2, true, "127.0.0.2").put("lte0", 3, true, "127.0.0.3");
        try (Backends.Server echo = Backends.echo();
             ServerService server = ServerService.start(new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     new ServiceDirectory(Map.of("echo", echo.address())), SessionSettings.defaults(), link, Duration.ofMinutes(1),
                     TransportFactory.plaintext(), clients, 10, 4, 100));
             ClientService client = ClientService.start(new ClientConfig(server.address(),
                     List.of(new Forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "echo")),
                     // One link at a time: every move below is a RESUME (a second link's JOIN is checked the same way, below).
                     SessionSettings.defaults(), link, interfaces, Duration.ofMillis(100),
                     new PathPolicy(List.of(), List.of(), List.of(), io.roamtun.client.paths.Multipath.OFF), null,
                     TransportFactory.plaintext(), credential))) {
            Await.until(Duration.ofSeconds(10), "the client connected", client::isConnected);
            InetSocketAddress app = client.forwardAddresses().get(0);
            try (Socket appSocket = new Socket(app.getAddress(), app.getPort())) {
                appSocket.setSoTimeout(10_000);
                roundTrip(appSocket, "before");

                // The attacker knows the session id (say, from a log) but not the secret.
                SessionId stolen = SessionId.of(HexFormat.of().parseHex(client.sessionId()));
                byte[] guess = new byte[32];
                new java.util.Random(1).nextBytes(guess);
                try (Socket attacker = new Socket(server.address().getAddress(), server.address().getPort())) {
                    attacker.setSoTimeout(10_000);
                    Resume forged = new Resume(stolen, 0, 0, 1, guess, credential); // even with the credential: no secret, no session
                    assertEquals(ErrorCode.AUTH_FAILED, refusalOf(attacker, forged), "the forged RESUME gets GOAWAY AUTH_FAILED");
                }
                try (Socket attacker = new Socket(server.address().getAddress(), server.address().getPort())) {
                    attacker.setSoTimeout(10_000);
                    Resume join = new Resume(stolen, 0, 0, 1, guess, credential, null, true); // nor a second link beside the client's
                    assertEquals(ErrorCode.AUTH_FAILED, refusalOf(attacker, join), "the forged JOIN gets GOAWAY AUTH_FAILED");
                }
                assertEquals(0, server.resumes(), "nothing was resumed");
                roundTrip(appSocket, "untouched");

                // The real client moves its session to another path: a RESUME with the right proof.
                client.switchTo("lte0").get(30, TimeUnit.SECONDS);
                assertEquals(1, server.resumes());
                roundTrip(appSocket, "after the takeover");
                client.switchTo("wifi0").get(30, TimeUnit.SECONDS); // and again: the nonce was renewed
                assertEquals(2, server.resumes());
                roundTrip(appSocket, "after a second takeover");
                assertEquals(1, server.sessionsOpened());
            }
        }
    }

    private static void roundTrip(Socket socket, String text) throws Exception {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        byte[] bytes = text.getBytes();
        out.write(bytes);
        assertEquals(text, new String(in.readNBytes(bytes.length)));
    }

    private static ErrorCode refusalOf(Socket attacker, Resume forged) throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(FrameEncoder.resumeSize(forged));
        FrameEncoder.resume(frame, forged);
        attacker.getOutputStream().write(frame.array());
        byte[] answer = attacker.getInputStream().readAllBytes();
        ErrorCode[] code = new ErrorCode[1];
        new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(answer), new AnyFrame() {
            @Override
            public void onGoAway(ErrorCode c, String message) {
                code[0] = c;
            }
        });
        return code[0];
    }
}
