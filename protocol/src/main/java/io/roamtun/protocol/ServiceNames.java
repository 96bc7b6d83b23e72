package io.roamtun.protocol;

/** Service names are short ASCII words: letters, digits, '.', '_' and '-', 1 to 255 bytes. */
public final class ServiceNames {
    private ServiceNames() {}

    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > Wire.MAX_SERVICE_NAME_BYTES) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 0x7F || !isNameByte((byte) c)) {
                return false;
            }
        }
        return true;
    }

    /** The service name of the streams a server opens for connections to a port the client exposed. */
    public static String exposed(int port) {
        return "expose-" + port;
    }

    /** The service name of the flows a server opens for datagrams to a UDP port the client exposed. */
    public static String exposedUdp(int port) {
        return "expose-udp-" + port;
    }

    static boolean isNameByte(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '.' || b == '_' || b == '-';
    }
}
