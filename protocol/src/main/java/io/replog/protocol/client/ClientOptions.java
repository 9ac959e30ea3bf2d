package io.replog.protocol.client;

import io.replog.protocol.FrameHeader;

/**
 * How a {@link ReplogClient} connects.
 *
 * @param connectTimeoutMs how long a TCP connect may take before it fails (a host that drops SYNs would otherwise
 *                         hold the caller for the kernel's two minutes)
 * @param maxFrameLength   largest Frame Length accepted from the node (bytes after the length prefix)
 */
public record ClientOptions(int connectTimeoutMs, int maxFrameLength) {
    /** Default connect timeout: long enough for a loaded remote host, short enough for a person waiting. */
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

    public ClientOptions {
        if (connectTimeoutMs < 1) {
            throw new IllegalArgumentException("connect timeout must be >= 1 ms, got " + connectTimeoutMs);
        }
        if (maxFrameLength < FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD) {
            throw new IllegalArgumentException("max frame length too small: " + maxFrameLength);
        }
    }

    /** {@value #DEFAULT_CONNECT_TIMEOUT_MS} ms to connect, the default frame limit. */
    public static ClientOptions defaults() {
        return new ClientOptions(DEFAULT_CONNECT_TIMEOUT_MS, FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
    }

    public ClientOptions withConnectTimeoutMs(final int ms) {
        return new ClientOptions(ms, maxFrameLength);
    }

    public ClientOptions withMaxFrameLength(final int length) {
        return new ClientOptions(connectTimeoutMs, length);
    }
}
