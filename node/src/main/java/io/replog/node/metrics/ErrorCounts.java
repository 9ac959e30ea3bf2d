package io.replog.node.metrics;

import io.replog.protocol.ErrorCode;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ObjLongConsumer;

/**
 * Counts by protocol error code, for metrics labelled {@code reason}: the frames a node refused, the appends that
 * ended in an error. Any thread; an error is never on the hot path.
 */
public final class ErrorCounts {
    private static final int CODES = 128;
    private final AtomicLongArray byCode = new AtomicLongArray(CODES);

    /** One more answered with {@code code}. */
    public void count(final int code) {
        byCode.incrementAndGet(code >= 0 && code < CODES ? code : ErrorCode.INTERNAL_ERROR);
    }

    /** Each code seen so far (its name in lower case) with its count. */
    public void forEach(final ObjLongConsumer<String> sink) {
        for (int code = 0; code < CODES; code++) {
            final long count = byCode.get(code);
            if (count > 0) {
                sink.accept(ErrorCode.name(code).toLowerCase(Locale.ROOT), count);
            }
        }
    }
}
