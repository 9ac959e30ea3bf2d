package io.replog.protocol;

import java.net.InetSocketAddress;

/** Parses the {@code host:port} addresses that flags and environment variables carry. */
public final class HostPort {
    private HostPort() {
    }

    /**
     * {@code host:port} as an unresolved address (resolved when connecting, so a name that appears later, like a
     * container's, still works).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static InetSocketAddress parse(final String text) {
        final String s = text.trim();
        final int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + s + "'");
        }
        final int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + s + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port of " + s + " must be within 0..65535, got " + port);
        }
        return InetSocketAddress.createUnresolved(s.substring(0, colon), port);
    }

    /**
     * {@code host:port} as a person writes it ({@code [::1]:7000} for IPv6), for logs and messages: an unresolved
     * address's own {@code toString()} reads {@code 127.0.0.1/<unresolved>:7000}.
     */
    public static String format(final InetSocketAddress address) {
        final String host = address.getHostString();
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
