package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import picocli.CommandLine.Option;

/** How a master watches and retries its secondaries. */
public final class MasterFlags {
    @Option(names = "--heartbeat-ms", defaultValue = "${env:REPLOG_HEARTBEAT_MS:-" + NodeConfig.DEFAULT_HEARTBEAT_MS
        + "}", description = "Heartbeat period to each secondary (env REPLOG_HEARTBEAT_MS, default ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @Option(names = "--suspect-after-ms", defaultValue = "${env:REPLOG_SUSPECT_AFTER_MS:-"
        + NodeConfig.DEFAULT_SUSPECT_AFTER_MS + "}",
        description = "Silence after which a secondary is Suspected (env REPLOG_SUSPECT_AFTER_MS, "
            + "default ${DEFAULT-VALUE}).")
    long suspectAfterMs;

    @Option(names = "--unhealthy-after-ms", defaultValue = "${env:REPLOG_UNHEALTHY_AFTER_MS:-"
        + NodeConfig.DEFAULT_UNHEALTHY_AFTER_MS + "}",
        description = "Silence after which a secondary is Unhealthy, and failed deliveries after which it is "
            + "Failing (env REPLOG_UNHEALTHY_AFTER_MS, default ${DEFAULT-VALUE}).")
    long unhealthyAfterMs;

    @Option(names = "--quorum", defaultValue = "${env:REPLOG_QUORUM:-0}",
        description = "Nodes (master included) that must be up to take appends; 0 = majority (env REPLOG_QUORUM, "
            + "default ${DEFAULT-VALUE}).")
    int quorum;

    @Option(names = "--retry-cap-ms", defaultValue = "${env:REPLOG_RETRY_CAP_MS:-" + NodeConfig.DEFAULT_RETRY_CAP_MS
        + "}", description = "Longest pause between delivery attempts to a secondary (env REPLOG_RETRY_CAP_MS, "
        + "default ${DEFAULT-VALUE}).")
    long retryCapMs;

    @Option(names = "--replication-timeout-ms", defaultValue = "${env:REPLOG_REPLICATION_TIMEOUT_MS:-"
        + NodeConfig.DEFAULT_REPLICATION_TIMEOUT_MS + "}",
        description = "A replication request (or a connection) unanswered this long is retried over a new "
            + "connection (env REPLOG_REPLICATION_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    long replicationTimeoutMs;

    NodeConfig applyTo(final NodeConfig config) {
        return config.heartbeatMs(heartbeatMs).suspectAfterMs(suspectAfterMs).unhealthyAfterMs(unhealthyAfterMs)
            .quorum(quorum).retryCapMs(retryCapMs).replicationTimeoutMs(replicationTimeoutMs);
    }
}
