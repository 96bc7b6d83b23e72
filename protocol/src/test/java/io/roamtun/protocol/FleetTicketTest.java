package io.roamtun.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fleet ticket of WELCOME and RESUME (FLEET): round trips beside the other extensions, old peers, hostile lengths. */
class FleetTicketTest {
    private static final byte[] SECRET = new byte[Wire.SESSION_SECRET_BYTES];
    private static final byte[] NONCE = new byte[Wire.NONCE_BYTES];
    private static final FleetTicket TICKET = new FleetTicket("node-2", "203.0.113.7:7000", filled(Wire.FLEET_MAC_BYTES, 7));

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
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

    private static Resume decodeResume(ByteBuffer frame) throws ProtocolException {
        Resume[] got = new Resume[1];
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(frame, new RecordingHandler() {
            @Override
            public void onResume(Resume r) {
                got[0] = r;
            }
        });
        return got[0];
    }

    private static ByteBuffer encode(Welcome welcome) {
        ByteBuffer b = ByteBuffer.allocate(FrameEncoder.welcomeSize(welcome));
        FrameEncoder.welcome(b, welcome);
        assertEquals(0, b.remaining(), "welcomeSize is what the encoder writes");
        return b.flip();
    }

    private static ByteBuffer encode(Resume resume) {
        ByteBuffer b = ByteBuffer.allocate(FrameEncoder.resumeSize(resume));
        FrameEncoder.resume(b, resume);
        assertEquals(0, b.remaining(), "resumeSize is what the encoder writes");
        return b.flip();
    }

    private static Welcome welcome() {
        return new Welcome(1, Capabilities.SUPPORTED, 65_536, 65_536, SessionId.random(), SECRET, NONCE);
    }

    private static Resume resume(FleetTicket ticket) {
        return new Resume(SessionId.random(), 10, 20, 1, filled(32, 1), "laptop:secret", ticket);
    }

    @Test
    void welcomeCarriesTheTicketAfterTheExposeLists() throws Exception {
        Welcome plain = welcome().withFleet(TICKET);
        assertEquals(plain, decodeWelcome(encode(plain)), "with no exposes the empty lists come first");
        Welcome both = welcome().withExposes(List.of(ExposeResult.listening(8080, InetAddress.getByName("127.0.0.1"))),
                List.of(ExposeResult.refused(53, ErrorCode.PORT_IN_USE))).withFleet(TICKET);
        assertEquals(both, decodeWelcome(encode(both)));
        assertNull(decodeWelcome(encode(welcome())).fleet(), "a WELCOME outside a fleet has none");
    }

    @Test
    void resumeCarriesItBackAfterTheCredential() throws Exception {
        Resume withTicket = resume(TICKET);
        assertEquals(withTicket, decodeResume(encode(withTicket)));
        assertNull(decodeResume(encode(resume(null))).fleet());
        FleetTicket longest = new FleetTicket("n".repeat(Wire.MAX_NODE_ID_BYTES), "h".repeat(Wire.MAX_ADVERTISED_BYTES - 6) + ":65535",
                filled(Wire.FLEET_MAC_BYTES, 9));
        Resume largest = new Resume(SessionId.random(), 1, 2, 3, filled(Wire.MAX_PROOF_BYTES, 2), "c".repeat(Wire.MAX_CREDENTIAL_BYTES), longest);
        assertEquals(largest, decodeResume(encode(largest)), "the largest RESUME is within its bound");
    }

    @Test
    void theMacCoversTheSessionTheNodeAndTheAddress() {
        SessionId session = SessionId.random();
        byte[] input = FleetTicket.macInput(session, "n1", "a:1");
        assertTrue(new String(input, 0, 23, java.nio.charset.StandardCharsets.US_ASCII).equals("roamtun fleet ticket v1"));
        assertEquals(23 + 16 + 1 + 2 + 1 + 3, input.length);
        assertTrue(!Arrays.equals(input, FleetTicket.macInput(session, "n2", "a:1")));
        assertTrue(!Arrays.equals(input, FleetTicket.macInput(SessionId.random(), "n1", "a:1")));
    }

    /** A RESUME whose ticket bytes are {@code ticket} exactly (the length fixed up), for hostile input. */
    private static ByteBuffer resumeWithTicketBytes(byte... ticket) {
        ByteBuffer plain = encode(resume(null));
        ByteBuffer b = ByteBuffer.allocate(plain.remaining() + ticket.length);
        b.put(plain).put(ticket).flip();
        b.putInt(Wire.OFF_LENGTH, b.remaining() - Wire.HEADER_BYTES);
        return b;
    }

    @Test
    void hostileTicketsAreProtocolErrors() {
        byte[] mac = filled(Wire.FLEET_MAC_BYTES, 1);
        for (byte[] bad : List.of(
                new byte[] {0},                                 // an empty node id
                new byte[] {9, 'n'},                            // a node id longer than what is left
                concat(new byte[] {2, 'n', '!', 3, 'a', ':', '1'}, mac), // a character a node id may not have
                concat(new byte[] {2, 'n', '1', 3, 'a', ' ', '1'}, mac), // a space in the address
                new byte[] {2, 'n', '1', 3, 'a', ':', '1', 1, 2}, // the MAC cut short
                concat(new byte[] {2, 'n', '1', 3, 'a', ':', '1'}, mac, new byte[] {0}))) { // a byte after the ticket
            ProtocolException e = assertThrows(ProtocolException.class, () -> decodeResume(resumeWithTicketBytes(bad)),
                    Arrays.toString(bad));
            assertEquals(ErrorCode.PROTOCOL_ERROR, e.code(), e.getMessage());
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
