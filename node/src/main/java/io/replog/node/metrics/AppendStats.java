package io.replog.node.metrics;

import io.replog.node.role.AppendObserver;
import io.replog.node.role.AppendRequest;

/**
 * What became of the appends a node took as master, for {@code /metrics}: the latency of each one answered with
 * success (from its arrival on the event loop to its answer, by w) and the errors by code (refused at once, or
 * answered with an error later). Outlives the node's roles, so a node that becomes master again keeps counting.
 */
public final class AppendStats implements AppendObserver {
    /** Highest w with a series of its own (higher ones share it). */
    private static final int MAX_W = 15;

    private final LatencyHistogram latency = new LatencyHistogram("replog_append_latency_seconds",
        "Time from an append's arrival at the master to its successful answer (its w met), by write concern",
        "w", MAX_W);
    private final ErrorCounts errors = new ErrorCounts();

    @Override
    public void succeeded(final AppendRequest request, final long nanos) {
        latency.record(request.w(), nanos);
    }

    @Override
    public void failed(final short code) {
        errors.count(code);
    }

    LatencyHistogram latency() {
        return latency;
    }

    /** The errors by code. */
    ErrorCounts errors() {
        return errors;
    }
}
