package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import picocli.CommandLine.Option;

/** A secondary's delay and fault injection. */
public final class SecondaryFlags {
    @Option(names = "--delay-ms", defaultValue = "${env:REPLOG_DELAY_MS:-0}",
        description = "Hold each replication request this long before storing and acknowledging it, to show "
            + "the inconsistency window (env REPLOG_DELAY_MS, default ${DEFAULT-VALUE}).")
    long delayMs;

    @Option(names = "--fail-rate", defaultValue = "${env:REPLOG_FAIL_RATE:-0}",
        description = "Fault injection: answer an error, after storing, to this fraction of replication "
            + "requests (env REPLOG_FAIL_RATE, default ${DEFAULT-VALUE}).")
    double failRate;

    @Option(names = "--drop-rate", defaultValue = "${env:REPLOG_DROP_RATE:-0}",
        description = "Fault injection: drop the master's connection on this fraction of replication requests "
            + "(env REPLOG_DROP_RATE, default ${DEFAULT-VALUE}).")
    double dropRate;

    NodeConfig applyTo(final NodeConfig config) {
        return config.delayMs(delayMs).failRate(failRate).dropRate(dropRate);
    }
}
