package io.roamtun.engine.text;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** {@code HOST:PORT}, with IPv6 literals in brackets ({@code [::1]:7000}). Resolved once, at start-up. */
public final class HostPort {
    private HostPort() {}

    /**
     * As {@link #parse}, but a host name that does not resolve now is returned unresolved instead of refused
     * (the caller resolves it again later: a server name seen from a machine that is not online yet).
     */
    public static InetSocketAddress parseMaybeUnresolved(String option, String text) throws UsageException {
        String[] hostPort = split(option, text);
        int port = parsePort(option, hostPort[1]);
        if (!isName(hostPort[0])) { // an address written out that does not parse will never resolve later
            return new InetSocketAddress(resolve(option, hostPort[0]), port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(hostPort[0]), port);
        } catch (UnknownHostException e) {
            return InetSocketAddress.createUnresolved(hostPort[0], port);
        }
    }

    /** An IP address written out and a port ("203.0.113.5:7000", "[2001:db8::5]:7000"): never a look-up. */
    public static InetSocketAddress parseLiteral(String option, String text) throws UsageException {
        String[] hostPort = split(option, text);
        if (isName(hostPort[0])) {
            throw new UsageException(option + ": '" + hostPort[0] + "' is not an IP address");
        }
        return new InetSocketAddress(resolve(option, hostPort[0]), parsePort(option, hostPort[1]));
    }

    /** True when {@code host} names a host, rather than being an IPv4 or IPv6 address written out. */
    public static boolean isName(String host) {
        return !host.contains(":") && !host.matches("[0-9.]+");
    }

    public static InetSocketAddress parse(String option, String text) throws UsageException {
        String[] hostPort = split(option, text);
        return new InetSocketAddress(resolve(option, hostPort[0]), parsePort(option, hostPort[1]));
    }

    /** Checks that {@code text} is HOST:PORT with a valid port, without resolving anything. */
    public static void checkSyntax(String option, String text) throws UsageException {
        parsePort(option, split(option, text)[1]);
    }

    /** HOST and PORT of "HOST:PORT" or "[IPV6]:PORT". */
    private static String[] split(String option, String text) throws UsageException {
        if (text == null || text.isBlank()) {
            throw new UsageException(option + ": expected HOST:PORT, got nothing");
        }
        String value = text.trim();
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
                throw new UsageException(option + ": '" + text + "' is not [IPV6]:PORT");
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || value.indexOf(':') != colon) {
                throw new UsageException(option + ": '" + text + "' is not HOST:PORT (write IPv6 as [::1]:PORT)");
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
        }
        return new String[] {host, port};
    }

    public static int parsePort(String option, String text) throws UsageException {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": '" + text + "' is not a port number (0-65535)");
        }
    }

    public static InetAddress resolve(String option, String host) throws UsageException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UsageException(option + ": cannot resolve host '" + host + "'");
        }
    }

    /** host:port as the user would write it back. */
    public static String format(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
