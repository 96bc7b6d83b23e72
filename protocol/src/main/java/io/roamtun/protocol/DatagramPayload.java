package io.roamtun.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The payload of a DATAGRAM frame: {@code service_length u8 (1..255), service, data (0 or more bytes)}.
 * Every datagram names its flow's service, so the receiver can (re)open a flow from any one of them: none
 * is resent, and a flow it forgot (idle, or a new link after a loss) comes back with the next datagram.
 *
 * @param service the service the flow goes to (the acceptor's UDP service, or a reverse one)
 * @param data    the datagram, a view of the decoder's input valid only during the call
 */
public record DatagramPayload(String service, ByteBuffer data) {
    /** Bytes the payload adds to a datagram of service {@code service}. */
    public static int overhead(String service) {
        return 1 + service.length();
    }

    /** The whole frame for {@code data} (its remaining bytes, left unmoved) on flow {@code flowId}. */
    public static int frameBytes(String service, int dataBytes) {
        return Wire.HEADER_BYTES + overhead(service) + dataBytes;
    }

    /** Writes a DATAGRAM frame: header, service, {@code data}'s remaining bytes (its position is not moved). */
    public static void encode(ByteBuffer dst, int flowId, String service, ByteBuffer data) {
        if (!ServiceNames.isValid(service)) {
            throw new IllegalArgumentException("invalid service name: " + service);
        }
        FrameEncoder.header(dst, FrameType.DATAGRAM, flowId, overhead(service) + data.remaining(), 0);
        dst.put((byte) service.length()).put(service.getBytes(StandardCharsets.US_ASCII)).put(data.duplicate());
    }

    /** Reads a DATAGRAM's payload; a bad service name or length is a PROTOCOL_ERROR. */
    public static DatagramPayload decode(ByteBuffer payload) throws ProtocolException {
        ByteBuffer p = payload.duplicate();
        int length = p.hasRemaining() ? p.get() & 0xFF : 0;
        if (length == 0 || length > p.remaining()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "DATAGRAM service name length " + length + " with "
                    + p.remaining() + " bytes left");
        }
        byte[] name = new byte[length];
        p.get(name);
        for (byte b : name) {
            if (!ServiceNames.isNameByte(b)) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "DATAGRAM service name has a byte " + (b & 0xFF)
                        + " that no service name has");
            }
        }
        return new DatagramPayload(new String(name, StandardCharsets.US_ASCII), p.slice());
    }
}
