package io.roamtun.protocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the fields later capabilities appended to HELLO and WELCOME (see PROTOCOL.md, "Reverse streams"): a
 * list for TCP ports, then one for UDP ports. A
 * handshake frame that ends before them carries none; one whose extension is cut short or out of range is a
 * PROTOCOL_ERROR; bytes after them belong to later versions and are left unread.
 */
final class HandshakeExtensions {
    private HandshakeExtensions() {}

    /** TCP and UDP exposes together stay within {@link Wire#MAX_EXPOSES}, so the WELCOME that answers fits its 2,048 bytes. */
    static void checkTotal(int total, FrameType type) throws ProtocolException {
        if (total > Wire.MAX_EXPOSES) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " has " + total + " exposed ports, TCP and UDP together (at most "
                    + Wire.MAX_EXPOSES + ")");
        }
    }

    /** HELLO: expose_count u8, then each port u16 (the TCP list, then the UDP list). */
    static List<Integer> exposes(ByteBuffer p) throws ProtocolException {
        if (!p.hasRemaining()) {
            return List.of();
        }
        int count = p.get() & 0xFF;
        if (count > Wire.MAX_EXPOSES || 2 * count > p.remaining()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "HELLO asks for " + count + " exposed ports with "
                    + p.remaining() + " bytes left (at most " + Wire.MAX_EXPOSES + ")");
        }
        List<Integer> ports = new ArrayList<>(count);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int port = p.getShort() & 0xFFFF;
            if (port == 0 || !seen.add(port)) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "HELLO exposed port " + port + (port == 0 ? "" : " given twice"));
            }
            ports.add(port);
        }
        return ports;
    }

    /** WELCOME: result_count u8, then each port u16, result u16, address_length u8 (0, 4 or 16), address. */
    static List<ExposeResult> exposeResults(ByteBuffer p) throws ProtocolException {
        if (!p.hasRemaining()) {
            return List.of();
        }
        int count = p.get() & 0xFF;
        if (count > Wire.MAX_EXPOSES) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "WELCOME answers " + count + " exposed ports (at most "
                    + Wire.MAX_EXPOSES + ")");
        }
        List<ExposeResult> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (p.remaining() < 5) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "WELCOME expose result " + i + " cut short");
            }
            int port = p.getShort() & 0xFFFF;
            ErrorCode result = ErrorCode.fromWire(p.getShort() & 0xFFFF);
            int addressLength = p.get() & 0xFF;
            boolean listening = result == ErrorCode.NO_ERROR;
            if (port == 0 || (listening ? addressLength != 4 && addressLength != 16 : addressLength != 0)
                    || addressLength > p.remaining()) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "WELCOME expose result for port " + port + ": "
                        + result + " with a " + addressLength + "-byte address");
            }
            byte[] address = new byte[addressLength];
            p.get(address);
            try {
                results.add(listening ? ExposeResult.listening(port, InetAddress.getByAddress(address))
                        : ExposeResult.refused(port, result));
            } catch (UnknownHostException impossible) { // 4 or 16 bytes, checked above
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "WELCOME expose address: " + impossible.getMessage());
            }
        }
        return results;
    }
}
