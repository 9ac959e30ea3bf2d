package io.replog.protocol.client;

import io.netty.handler.ssl.SslContext;
import io.replog.protocol.FrameHeader;

/**
 * How a {@link ReplogClient} connects.
 *
 * @param connectTimeoutMs how long a TCP connect may take before it fails (a host that drops SYNs would otherwise
 *                         hold the caller for the kernel's two minutes)
 * @param maxFrameLength   largest Frame Length accepted from the node (bytes after the length prefix)
 * @param tls              a client TLS context to speak TLS to the node (its certificate checked against the
 *                         context's trust and the host name), null for plain TCP
 */
public record ClientOptions(int connectTimeoutMs, int maxFrameLength, SslContext tls) {
    /** Default connect timeout: long enough for a loaded remote host, short enough for a person waiting. */
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

    public ClientOptions {
        if (connectTimeoutMs < 1) {
            throw new IllegalArgumentException("connect timeout must be >= 1 ms, got " + connectTimeoutMs);
        }
        if (maxFrameLength < FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD) {
            throw new IllegalArgumentException("max frame length too small: " + maxFrameLength);
        }
        if (tls != null && !tls.isClient()) {
            throw new IllegalArgumentException("a client needs a client TLS context");
        }
    }

    /** {@value #DEFAULT_CONNECT_TIMEOUT_MS} ms to connect, the default frame limit, plain TCP. */
    public static ClientOptions defaults() {
        return new ClientOptions(DEFAULT_CONNECT_TIMEOUT_MS, FrameHeader.DEFAULT_MAX_FRAME_LENGTH, null);
    }

    public ClientOptions withConnectTimeoutMs(final int ms) {
        return new ClientOptions(ms, maxFrameLength, tls);
    }

    public ClientOptions withMaxFrameLength(final int length) {
        return new ClientOptions(connectTimeoutMs, length, tls);
    }

    /** Speaks TLS with {@code context} (null: plain TCP). */
    public ClientOptions withTls(final SslContext context) {
        return new ClientOptions(connectTimeoutMs, maxFrameLength, context);
    }
}
