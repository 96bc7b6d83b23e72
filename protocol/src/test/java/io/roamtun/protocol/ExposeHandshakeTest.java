package io.roamtun.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reverse-streams extension of HELLO and WELCOME: round trips, old peers, and hostile counts and lengths. */
class ExposeHandshakeTest {
    private static final byte[] SECRET = new byte[Wire.SESSION_SECRET_BYTES];
    private static final byte[] NONCE = new byte[Wire.NONCE_BYTES];

    private static Hello decodeHello(ByteBuffer frame) throws ProtocolException {
        Hello[] got = new Hello[1];
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(frame, new RecordingHandler() {
            @Override
            public void onHello(Hello h) {
                got[0] = h;
            }
        });
        return got[0];
    }

    private static Welcome decodeWelcome(ByteBuffer frame) throws ProtocolException {
        Welcome[] got = new Welcome[1];
        new FrameDecoder(Role.CLIENT, Wire.MAX_PAYLOAD).decode(frame, new RecordingHandler() {
            @Override
            public void onWelcome(Welcome w) {
                got[0] = w;
            }
        });
        return got[0];
    }

    private static ByteBuffer encode(Hello hello) {
        ByteBuffer b = ByteBuffer.allocate(FrameEncoder.helloSize(hello));
        FrameEncoder.hello(b, hello);
        assertEquals(0, b.remaining(), "helloSize is what the encoder writes");
        return b.flip();
    }

    /** A HELLO whose payload is the v1 fields, an empty credential, then {@code extension} as it is. */
    private static ByteBuffer helloWith(byte... extension) {
        ByteBuffer plain = encode(new Hello(1, 1, Capabilities.REVERSE_STREAMS, 65_536, 65_536));
        ByteBuffer b = ByteBuffer.allocate(plain.remaining() + extension.length);
        b.put(plain).put(extension).flip();
        b.putInt(Wire.OFF_LENGTH, b.remaining() - Wire.HEADER_BYTES);
        return b;
    }

    private static ByteBuffer welcomeWith(byte... extension) {
        ByteBuffer b = ByteBuffer.allocate(FrameEncoder.WELCOME_FRAME_BYTES + extension.length);
        FrameEncoder.welcome(b, new Welcome(1, Capabilities.REVERSE_STREAMS, 65_536, 65_536, SessionId.random(), SECRET, NONCE));
        b.put(extension).flip();
        b.putInt(Wire.OFF_LENGTH, b.remaining() - Wire.HEADER_BYTES);
        return b;
    }

    @Test
    void helloCarriesItsPortsAfterTheCredential() throws Exception {
        Hello hello = new Hello(1, 1, Capabilities.SUPPORTED, 65_536, 65_536, "laptop:secret", List.of(8080, 22, 65_535));
        assertEquals(hello, decodeHello(encode(hello)));
        assertEquals(List.of(), decodeHello(encode(new Hello(1, 1, 0, 65_536, 65_536, "laptop:secret"))).exposes(),
                "a HELLO of an older client, ending at its credential, asks for nothing");
    }

    @Test
    void welcomeAnswersEachPortWithAnAddressOrACode() throws Exception {
        Welcome welcome = new Welcome(1, Capabilities.REVERSE_STREAMS, 65_536, 65_536, SessionId.random(), SECRET, NONCE,
                List.of(ExposeResult.listening(8080, InetAddress.getByName("127.77.0.11")),
                        ExposeResult.listening(8443, InetAddress.getByName("::1")),
                        ExposeResult.refused(22, ErrorCode.EXPOSE_NOT_ALLOWED),
                        ExposeResult.refused(9000, ErrorCode.PORT_IN_USE)));
        ByteBuffer b = ByteBuffer.allocate(FrameEncoder.welcomeSize(welcome));
        FrameEncoder.welcome(b, welcome);
        assertEquals(0, b.remaining(), "welcomeSize is what the encoder writes");
        assertEquals(welcome, decodeWelcome(b.flip()));
    }

    @Test
    void theMostPortsStillFitTheHandshakeLimit() throws Exception {
        List<Integer> ports = new ArrayList<>();
        List<ExposeResult> results = new ArrayList<>();
        for (int i = 0; i < Wire.MAX_EXPOSES; i++) {
            ports.add(10_000 + i);
            results.add(ExposeResult.listening(10_000 + i, InetAddress.getByName("2001:db8::" + (i + 1))));
        }
        Hello hello = new Hello(1, 1, 0, 65_536, 65_536, "n".repeat(100) + ":" + "s".repeat(154), ports);
        assertEquals(hello, decodeHello(encode(hello)));
        Welcome welcome = new Welcome(1, 0, 65_536, 65_536, SessionId.random(), SECRET, NONCE, results);
        int size = FrameEncoder.welcomeSize(welcome);
        assertEquals(true, size <= Wire.MAX_HANDSHAKE_FRAME_BYTES, size + " bytes");
        assertThrows(IllegalArgumentException.class, () -> new Hello(1, 1, 0, 65_536, 65_536, "", concat(ports, 1)));
    }

    private static List<Integer> concat(List<Integer> ports, int more) {
        List<Integer> all = new ArrayList<>(ports);
        all.add(more);
        return all;
    }

    @Test
    void bytesAfterTheExtensionAreLeftToLaterVersions() throws Exception {
        assertEquals(List.of(80), decodeHello(helloWith((byte) 1, (byte) 0, (byte) 80, (byte) 0, (byte) 0xAA, (byte) 0xBB)).exposes());
        assertEquals(List.of(ExposeResult.refused(80, ErrorCode.PORT_IN_USE)),
                decodeWelcome(welcomeWith((byte) 1, (byte) 0, (byte) 80, (byte) 0, (byte) 23, (byte) 0, (byte) 0, (byte) 7)).exposes());
    }

    @Test
    void udpPortsFollowTheTcpOnesAndBothTogetherStayWithinTheLimit() throws Exception {
        Hello udpOnly = new Hello(1, 1, Capabilities.SUPPORTED, 65_536, 65_536, "", List.of(), List.of(5353, 5060));
        assertEquals(udpOnly, decodeHello(encode(udpOnly)), "an empty TCP list comes first");
        Welcome welcome = new Welcome(1, Capabilities.SUPPORTED, 65_536, 65_536, SessionId.random(), SECRET, NONCE, List.of(),
                List.of(ExposeResult.listening(5353, InetAddress.getByName("127.0.0.1")), ExposeResult.refused(5060, ErrorCode.PORT_IN_USE)));
        ByteBuffer b = ByteBuffer.allocate(FrameEncoder.welcomeSize(welcome));
        FrameEncoder.welcome(b, welcome);
        assertEquals(0, b.remaining());
        assertEquals(welcome, decodeWelcome(b.flip()));
        List<Integer> half = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            half.add(20_000 + i);
        }
        assertThrows(IllegalArgumentException.class, () -> new Hello(1, 1, 0, 65_536, 65_536, "", half, half));
        byte[] twoLists = new byte[2 + 66 + 2 + 66];
        ByteBuffer ext = ByteBuffer.wrap(twoLists);
        for (int list = 0; list < 2; list++) {
            ext.put((byte) 33);
            for (int i = 0; i < 33; i++) {
                ext.putShort((short) (20_000 + i));
            }
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> decodeHello(helloWith(java.util.Arrays.copyOf(twoLists, ext.position()))));
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
    }

    @Test
    void hostileHelloExtensionsArePROTOCOL_ERROR() {
        byte[][] hostile = {
            {(byte) 65}, // more ports than allowed
            {(byte) 2, 0, 80}, // count says two, one and a half follow
            {(byte) 1, 0, 0}, // port 0
            {(byte) 2, 0, 80, 0, 80}, // one port twice
        };
        for (byte[] extension : hostile) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> decodeHello(helloWith(extension)));
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), e.getMessage());
        }
    }

    @Test
    void hostileWelcomeExtensionsArePROTOCOL_ERROR() {
        byte[][] hostile = {
            {(byte) 65},
            {(byte) 1, 0, 80, 0}, // cut inside a result
            {(byte) 1, 0, 80, 0, 0, 5, 1, 2, 3, 4, 5}, // listening, with a 5-byte address
            {(byte) 1, 0, 80, 0, 0, 0}, // listening, with no address
            {(byte) 1, 0, 80, 0, 23, 4, 127, 0, 0, 1}, // refused, with an address
            {(byte) 1, 0, 80, 0, 0, 16, 0, 0, 0, 0}, // an address longer than what is left
            {(byte) 1, 0, 0, 0, 23, 0}, // port 0
        };
        for (byte[] extension : hostile) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> decodeWelcome(welcomeWith(extension)));
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), e.getMessage());
        }
    }
}
