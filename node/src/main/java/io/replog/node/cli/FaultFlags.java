package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Delay and fault injection of a node that is replicated to: a fixed secondary, or a failover node while it
 * follows (README, "Fault injection"): the same flags, the same behaviour (the engine's PeerFaultInjection).
 */
public final class FaultFlags {
    @Option(names = "--delay-ms", defaultValue = "${env:REPLOG_DELAY_MS:-0}",
        description = "Hold each replication request that carries messages this long before storing and answering "
            + "it, to show the inconsistency window; heartbeats are answered at once (env REPLOG_DELAY_MS, "
            + "default ${DEFAULT-VALUE}).")
    long delayMs;

    @Option(names = "--fail-rate", defaultValue = "${env:REPLOG_FAIL_RATE:-0}",
        description = "Fault injection: refuse this fraction of replication requests without storing them; the "
            + "master resends from where this node says, in [0, 1) (env REPLOG_FAIL_RATE, default "
            + "${DEFAULT-VALUE}).")
    double failRate;

    @Option(names = "--drop-rate", defaultValue = "${env:REPLOG_DROP_RATE:-0}",
        description = "Fault injection: ignore this fraction of replication requests, unanswered; the next "
            + "request or heartbeat finds the gap and the master resends, in [0, 1) (env REPLOG_DROP_RATE, "
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
