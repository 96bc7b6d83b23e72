package io.roamtun.protocol;

import java.net.InetAddress;

/**
 * The server's answer, in WELCOME, to one port a HELLO asked it to listen on (a reverse stream's port).
 *
 * @param port     the port asked for
 * @param result   {@link ErrorCode#NO_ERROR} when the server listens on it; else why not
 *                 ({@link ErrorCode#EXPOSE_NOT_ALLOWED}, {@link ErrorCode#PORT_IN_USE}, {@link ErrorCode#LIMIT_EXCEEDED})
 * @param address  the address the server listens on for this client (IPv4 or IPv6); null when refused
 */
public record ExposeResult(int port, ErrorCode result, InetAddress address) {
    public ExposeResult {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port);
        }
        if ((result == ErrorCode.NO_ERROR) != (address != null)) {
            throw new IllegalArgumentException("an address exactly when listening: " + result + " " + address);
        }
    }

    public static ExposeResult listening(int port, InetAddress address) {
        return new ExposeResult(port, ErrorCode.NO_ERROR, address);
    }

    public static ExposeResult refused(int port, ErrorCode why) {
        return new ExposeResult(port, why, null);
    }

    public boolean listening() {
        return result == ErrorCode.NO_ERROR;
    }

    /** Bytes on the wire: port, result, address length, address. */
    int wireBytes() {
        return 2 + 2 + 1 + (address == null ? 0 : address.getAddress().length);
    }

    @Override
    public String toString() {
        return port + (listening() ? "@" + address.getHostAddress() : ":" + result);
    }
}
