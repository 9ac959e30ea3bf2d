package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Delay and fault injection of a node that is replicated to: a fixed secondary, or a failover node while it
 * follows (README, "Fault injection"). Both take the same flags with the same meaning for the master that sends.
 */
public final class FaultFlags {
    @Option(names = "--delay-ms", defaultValue = "${env:REPLOG_DELAY_MS:-0}",
        description = "Hold each replication request that carries messages this long before storing and answering "
            + "it, to show the inconsistency window; heartbeats are answered at once (env REPLOG_DELAY_MS, "
            + "default ${DEFAULT-VALUE}).")
    long delayMs;

    @Option(names = "--fail-rate", defaultValue = "${env:REPLOG_FAIL_RATE:-0}",
        description = "Fault injection: answer this fraction of replication requests with an error the master "
            + "retries (a secondary after storing; a failover node refuses without storing), in [0, 1) "
            + "(env REPLOG_FAIL_RATE, default ${DEFAULT-VALUE}).")
    double failRate;

    @Option(names = "--drop-rate", defaultValue = "${env:REPLOG_DROP_RATE:-0}",
        description = "Fault injection: drop this fraction of replication requests (a secondary drops the master's "
            + "connection; a failover node ignores the request), in [0, 1) (env REPLOG_DROP_RATE, "
            + "default ${DEFAULT-VALUE}).")
    double dropRate;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The flags into {@code config}; a value out of range is a usage error naming the flag. */
    NodeConfig applyTo(final NodeConfig config) {
        if (delayMs < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--delay-ms must be >= 0, got " + delayMs);
        }
        rate("--fail-rate", failRate);
        rate("--drop-rate", dropRate);
        return config.delayMs(delayMs).failRate(failRate).dropRate(dropRate);
    }

    /** 1 would refuse or drop every request: a node that never takes anything is a stopped node (stop it). */
    private void rate(final String flag, final double value) {
        if (!(value >= 0 && value < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), flag + " must be within [0, 1), got "
                + value);
        }
    }
}
