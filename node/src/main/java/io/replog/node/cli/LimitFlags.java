package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import io.replog.protocol.FrameHeader;
import picocli.CommandLine.Option;

/** Bounds every node has: frame size, log size, waiting appends. */
public final class LimitFlags {
    @Option(names = "--max-frame-bytes",
        defaultValue = "${env:REPLOG_MAX_FRAME_BYTES:-" + FrameHeader.DEFAULT_MAX_FRAME_LENGTH + "}",
        description = "Largest frame accepted, in bytes; the largest message is 89 bytes less "
            + "(env REPLOG_MAX_FRAME_BYTES, default ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Option(names = "--max-log-bytes", defaultValue = "${env:REPLOG_MAX_LOG_BYTES:-0}",
        description = "Bytes of messages the log may hold; beyond it appends get STORAGE_FULL "
            + "(env REPLOG_MAX_LOG_BYTES, default 0 = on disk: no limit but the disk's; in memory: 85%% of the JVM's "
            + "direct memory limit, which `local` splits between its nodes).")
    long maxLogBytes;

    @Option(names = "--max-pending-appends",
        defaultValue = "${env:REPLOG_MAX_PENDING_APPENDS:-" + NodeConfig.DEFAULT_MAX_PENDING_APPENDS + "}",
        description = "Appends with w>1 waiting for an answer at most; more get OVERLOADED / HTTP 429 "
            + "(env REPLOG_MAX_PENDING_APPENDS, default ${DEFAULT-VALUE}).")
    int maxPendingAppends;

    /**
     * Applies to {@code config}, with {@code logBytes} as the log limit (the flag, or a node's share of it); 0 leaves
     * the limit as it is (automatic).
     */
    NodeConfig applyTo(final NodeConfig config, final long logBytes) {
        if (logBytes > 0) {
            config.maxLogBytes(logBytes);
        }
        return config.maxFrameLength(maxFrameBytes).maxPendingAppends(maxPendingAppends);
    }
}
