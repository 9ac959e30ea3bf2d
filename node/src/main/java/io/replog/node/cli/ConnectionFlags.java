package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import picocli.CommandLine.Option;

/** Limits on the connections a node accepts, in every mode. */
public final class ConnectionFlags {
    @Option(names = "--idle-timeout-ms", defaultValue = "${env:REPLOG_IDLE_TIMEOUT_MS:-"
        + NodeConfig.DEFAULT_IDLE_TIMEOUT_MS + "}",
        description = "Close a client connection after this long with no traffic and nothing waiting; 0 = never "
            + "(env REPLOG_IDLE_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    long idleTimeoutMs;

    @Option(names = "--max-connections", defaultValue = "${env:REPLOG_MAX_CONNECTIONS:-"
        + NodeConfig.DEFAULT_MAX_CONNECTIONS + "}",
        description = "Connections a node holds at once, binary and HTTP together; more are refused "
            + "(env REPLOG_MAX_CONNECTIONS, default ${DEFAULT-VALUE}).")
    int maxConnections;

    NodeConfig applyTo(final NodeConfig config) {
        return config.idleTimeoutMs(idleTimeoutMs).maxConnections(maxConnections);
    }
}
