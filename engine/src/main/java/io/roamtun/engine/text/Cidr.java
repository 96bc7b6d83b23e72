package io.roamtun.engine.text;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network written {@code ADDRESS/BITS} ({@code 10.0.0.0/8}, {@code fd00::/64}); a bare address is /32 or /128. */
public final class Cidr {
    private final byte[] network;
    private final int bits;

    private Cidr(byte[] network, int bits) {
        this.network = network;
        this.bits = bits;
    }

    /** Parses {@code text}; {@code option} names it in the error. Host bits set are an error (a typo, most often). */
    public static Cidr parse(String option, String text) throws UsageException {
        String t = text.trim();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        // A literal only (never a DNS look-up), and an IPv4 one whole: 192.168.1 is not read as 192.168.0.1.
        if (!address.matches("\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new UsageException(option + ": '" + text + "' is not an address or network (ADDRESS/BITS, e.g. 192.168.1.0/24)");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new UsageException(option + ": '" + text + "' is not an address or network (ADDRESS/BITS, e.g. 192.168.1.0/24)");
        }
        int max = bytes.length * 8;
        int bits = max;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > max) {
                throw new UsageException(option + ": '" + text + "': the prefix length must be 0-" + max);
            }
        }
        for (int i = 0; i < bytes.length; i++) {
            if ((bytes[i] & 0xFF & ~mask(bits, i)) != 0) {
                throw new UsageException(option + ": '" + text + "' has host bits set (did you mean "
                        + format(masked(bytes, bits)) + "/" + bits + "?)");
            }
        }
        return new Cidr(bytes, bits);
    }

    private static int mask(int bits, int byteIndex) {
        int inByte = Math.max(0, Math.min(8, bits - 8 * byteIndex));
        return (0xFF << (8 - inByte)) & 0xFF;
    }

    private static byte[] masked(byte[] bytes, int bits) {
        byte[] m = bytes.clone();
        for (int i = 0; i < m.length; i++) {
            m[i] &= (byte) mask(bits, i);
        }
        return m;
    }

    private static String format(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & mask(bits, i)) != (network[i] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /** Addresses in the network, capped at 2^31 - 1 (more than any pool hands out). */
    public int size() {
        int hostBits = network.length * 8 - bits;
        return hostBits >= 31 ? Integer.MAX_VALUE : 1 << hostBits;
    }

    /** The {@code index}th address of the network (0: the network's own address). */
    public InetAddress address(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index + " of " + size());
        }
        BigInteger value = new BigInteger(1, network).add(BigInteger.valueOf(index));
        byte[] raw = value.toByteArray();
        byte[] out = new byte[network.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public String toString() {
        return format(network) + "/" + bits;
    }
}
