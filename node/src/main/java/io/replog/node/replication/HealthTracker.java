package io.replog.node.replication;

import java.util.function.LongSupplier;

/**
 * Turns "when did this secondary last answer" into a {@link SecondaryHealth}. The clock is injected so tests can
 * move time instead of sleeping. Thread-safe: contact is recorded on the sender's event loop and read elsewhere.
 */
public final class HealthTracker {
    private final LongSupplier nanoClock;
    private final long suspectAfterNanos;
    private final long unhealthyAfterNanos;
    /** Time of the last answer; {@link Long#MIN_VALUE} until the first one. */
    private volatile long lastContactNanos = Long.MIN_VALUE;

    public HealthTracker(final LongSupplier nanoClock, final long suspectAfterMs, final long unhealthyAfterMs) {
        this.nanoClock = nanoClock;
        this.suspectAfterNanos = suspectAfterMs * 1_000_000L;
        this.unhealthyAfterNanos = unhealthyAfterMs * 1_000_000L;
    }

    /** The secondary answered something just now. */
    public void contact() {
        lastContactNanos = nanoClock.getAsLong();
    }

    public SecondaryHealth status() {
        final long last = lastContactNanos;
        if (last == Long.MIN_VALUE) {
            return SecondaryHealth.Unhealthy;
        }
        final long silent = nanoClock.getAsLong() - last;
        if (silent < suspectAfterNanos) {
            return SecondaryHealth.Healthy;
        }
        return silent < unhealthyAfterNanos ? SecondaryHealth.Suspected : SecondaryHealth.Unhealthy;
    }

    /** Milliseconds since the last answer, -1 if never. */
    public long silentMs() {
        final long last = lastContactNanos;
        return last == Long.MIN_VALUE ? -1 : (nanoClock.getAsLong() - last) / 1_000_000L;
    }
}
