package io.roamtun.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Which node of a fleet holds a session, and where it can be reached (see PROTOCOL.md, "Fleets"): handed
 * to the client in WELCOME, carried back in every RESUME, so a node the balancer sends the RESUME to can
 * tell whose session it is and redirect the client there. The MAC is made with the fleet's key, which
 * every node derives from the key material they share: a node takes only a ticket a node of its fleet made,
 * and the client cannot forge one (it never holds the key).
 *
 * @param node     the node's id, 1..64 bytes of ASCII letters, digits, '.', '_', '-'
 * @param address  where the node can be reached directly, "HOST:PORT", 1..255 bytes of printable ASCII
 * @param mac      HMAC-SHA256 over {@link #macInput} with the fleet key, 32 bytes
 */
public record FleetTicket(String node, String address, byte[] mac) {
    public FleetTicket {
        if (node.isEmpty() || node.length() > Wire.MAX_NODE_ID_BYTES || !node.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("node id '" + node + "': 1.." + Wire.MAX_NODE_ID_BYTES + " letters, digits, '.', '_', '-'");
        }
        if (address.isEmpty() || address.length() > Wire.MAX_ADVERTISED_BYTES || !address.matches("[\\x21-\\x7E]+")) {
            throw new IllegalArgumentException("advertised address '" + address + "': 1.." + Wire.MAX_ADVERTISED_BYTES
                    + " bytes of printable ASCII");
        }
        if (mac.length != Wire.FLEET_MAC_BYTES) {
            throw new IllegalArgumentException("a fleet ticket's MAC is " + Wire.FLEET_MAC_BYTES + " bytes");
        }
        mac = mac.clone();
    }

    /** What the MAC covers: "roamtun fleet ticket v1", the session id, then the node and address as on the wire. */
    public static byte[] macInput(SessionId session, String node, String address) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("roamtun fleet ticket v1".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(session.toBytes());
        out.write(node.length());
        out.writeBytes(node.getBytes(StandardCharsets.US_ASCII));
        out.write(address.length());
        out.writeBytes(address.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Bytes on the wire: node_length u8, node, address_length u8, address, mac. */
    int wireBytes() {
        return 1 + node.length() + 1 + address.length() + Wire.FLEET_MAC_BYTES;
    }

    void write(ByteBuffer dst) {
        dst.put((byte) node.length()).put(node.getBytes(StandardCharsets.US_ASCII))
                .put((byte) address.length()).put(address.getBytes(StandardCharsets.US_ASCII)).put(mac);
    }

    /** Reads one, if bytes are left ({@code type} names the frame in errors); null when none are. */
    static FleetTicket read(ByteBuffer p, FrameType type) throws ProtocolException {
        if (!p.hasRemaining()) {
            return null;
        }
        String node = readText(p, type, "node id");
        String address = readText(p, type, "address");
        if (p.remaining() < Wire.FLEET_MAC_BYTES) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " fleet ticket cut short");
        }
        byte[] mac = new byte[Wire.FLEET_MAC_BYTES];
        p.get(mac);
        try {
            return new FleetTicket(node, address, mac);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " fleet ticket: " + e.getMessage());
        }
    }

    private static String readText(ByteBuffer p, FrameType type, String what) throws ProtocolException {
        if (!p.hasRemaining()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " fleet ticket ends before its " + what);
        }
        int length = p.get() & 0xFF;
        if (length == 0 || length > p.remaining()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " fleet ticket " + what + " of " + length
                    + " bytes with " + p.remaining() + " left");
        }
        byte[] text = new byte[length];
        p.get(text);
        return new String(text, StandardCharsets.US_ASCII);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FleetTicket t && t.node.equals(node) && t.address.equals(address) && Arrays.equals(t.mac, mac);
    }

    @Override
    public int hashCode() {
        return node.hashCode() * 31 + address.hashCode();
    }

    @Override
    public String toString() {
        return "node " + node + " at " + address;
    }
}
