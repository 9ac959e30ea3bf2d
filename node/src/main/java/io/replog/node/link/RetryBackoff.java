package io.replog.node.link;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * How long to wait before the next delivery attempt to a peer: exponential from {@value #BASE_MS} ms, doubled
 * per consecutive failure, capped, with jitter so that many senders do not retry in step. A peer that is not
 * up (Unhealthy, Failing, Diverged) is retried at the cap only: a dead or refusing node is not hammered. Pure.
 */
public final class RetryBackoff {
    /** First retry delay; doubles per consecutive failure up to the cap. */
    public static final long BASE_MS = 50;

    private final long capMs;
    /** Given a bound, a value in [0, bound): the jitter source (fixed in tests). */
    private final LongUnaryOperator random;

    public RetryBackoff(final long capMs) {
        this(capMs, bound -> ThreadLocalRandom.current().nextLong(bound));
    }

    public RetryBackoff(final long capMs, final LongUnaryOperator random) {
        this.capMs = capMs;
        this.random = random;
    }

    /**
     * Delay after {@code failures} consecutive failures (1 for the first): in [d/2, d) with
     * d = min(cap, base * 2^(failures-1)), or d = cap when {@code atCap}.
     */
    public long delayMs(final int failures, final boolean atCap) {
        final long exponential = BASE_MS << Math.min(Math.max(failures - 1, 0), 20);
        final long d = atCap ? capMs : Math.min(capMs, exponential);
        return d / 2 + random.applyAsLong(Math.max(1, d / 2));
    }
}
