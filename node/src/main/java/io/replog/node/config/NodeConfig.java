package io.replog.node.config;

import io.replog.protocol.FrameHeader;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a node needs to start, with fluent setters and a {@link #conclude()} step that validates them.
 * Port 0 asks the OS for a free port (tests run nodes in parallel this way).
 */
public final class NodeConfig {
    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    public static final int DEFAULT_MASTER_PORT = 7000;
    public static final int DEFAULT_MASTER_HTTP_PORT = 8000;

    private String bindHost = DEFAULT_BIND_HOST;
    private int port = DEFAULT_MASTER_PORT;
    private int httpPort = DEFAULT_MASTER_HTTP_PORT;
    private int maxFrameLength = FrameHeader.DEFAULT_MAX_FRAME_LENGTH;
    private List<InetSocketAddress> secondaries = new ArrayList<>();
    private long delayMs;

    public String bindHost() {
        return bindHost;
    }

    public NodeConfig bindHost(final String host) {
        this.bindHost = host;
        return this;
    }

    public int port() {
        return port;
    }

    public NodeConfig port(final int value) {
        this.port = value;
        return this;
    }

    public int httpPort() {
        return httpPort;
    }

    public NodeConfig httpPort(final int value) {
        this.httpPort = value;
        return this;
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    public NodeConfig maxFrameLength(final int value) {
        this.maxFrameLength = value;
        return this;
    }

    public List<InetSocketAddress> secondaries() {
        return secondaries;
    }

    public NodeConfig secondaries(final List<InetSocketAddress> value) {
        this.secondaries = new ArrayList<>(value);
        return this;
    }

    public long delayMs() {
        return delayMs;
    }

    /** How long a secondary holds each replication request before storing and acknowledging it. */
    public NodeConfig delayMs(final long value) {
        this.delayMs = value;
        return this;
    }

    /** Validates; throws {@link IllegalArgumentException} naming the bad setting. */
    public NodeConfig conclude() {
        checkPort("port", port);
        checkPort("http-port", httpPort);
        if (port != 0 && port == httpPort) {
            throw new IllegalArgumentException("port and http-port must differ, both are " + port);
        }
        if (maxFrameLength < 1024 || maxFrameLength > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("max-frame-bytes must be within 1 KiB..256 MiB, got " + maxFrameLength);
        }
        if (delayMs < 0) {
            throw new IllegalArgumentException("delay-ms must be >= 0, got " + delayMs);
        }
        return this;
    }

    private static void checkPort(final String name, final int value) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException(name + " must be within 0..65535, got " + value);
        }
    }

    /** Parses {@code host:port[,host:port…]}; blanks are ignored. */
    public static List<InetSocketAddress> parseAddresses(final String list) {
        final List<InetSocketAddress> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (final String item : list.split(",")) {
            final String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            final int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new IllegalArgumentException("expected host:port, got '" + s + "'");
            }
            final int p;
            try {
                p = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in '" + s + "'");
            }
            checkPort("port of " + s, p);
            out.add(InetSocketAddress.createUnresolved(s.substring(0, colon), p));
        }
        return out;
    }
}
