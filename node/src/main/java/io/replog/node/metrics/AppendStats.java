package io.replog.node.metrics;

import io.replog.node.role.AppendObserver;
import io.replog.node.role.AppendRequest;
import io.replog.protocol.ErrorCode;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ObjLongConsumer;

/**
 * What became of the appends a node took as master, for {@code /metrics}: the latency of each one answered with
 * success (from its arrival on the event loop to its answer, by w) and the errors by code (refused at once, or
 * answered with an error later). Outlives the node's roles, so a node that becomes master again keeps counting.
 */
public final class AppendStats implements AppendObserver {
    /** Highest w with a series of its own (higher ones share it), the protocol's error codes below 128. */
    private static final int MAX_W = 15;
    private static final int CODES = 128;

    private final LatencyHistogram latency = new LatencyHistogram("replog_append_latency_seconds",
        "Time from an append's arrival at the master to its successful answer (its w met), by write concern",
        "w", MAX_W);
    private final AtomicLongArray errors = new AtomicLongArray(CODES);

    @Override
    public void succeeded(final AppendRequest request, final long nanos) {
        latency.record(request.w(), nanos);
    }

    @Override
    public void failed(final short code) {
        errors.incrementAndGet(code >= 0 && code < CODES ? code : ErrorCode.INTERNAL_ERROR);
    }

    LatencyHistogram latency() {
        return latency;
    }

    /** Each error code seen so far with its count, by the code's name in lower case. */
    void forEachError(final ObjLongConsumer<String> sink) {
        for (int code = 0; code < CODES; code++) {
            final long count = errors.get(code);
            if (count > 0) {
                sink.accept(ErrorCode.name(code).toLowerCase(java.util.Locale.ROOT), count);
            }
        }
    }
}
