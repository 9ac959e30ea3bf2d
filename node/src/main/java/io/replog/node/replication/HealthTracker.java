package io.replog.node.replication;

import org.agrona.concurrent.NanoClock;

/**
 * Turns what a secondary answered, and when, into a {@link SecondaryHealth} and a reason an operator can act on.
 * Silence makes it Suspected, then Unhealthy; deliveries that all fail for the unhealthy-after interval make it
 * Failing; refusing the master's log makes it Diverged until it accepts the log again. The clock is injected so
 * tests move time instead of sleeping. Written on the sender's event loop, read from anywhere (volatile fields).
 */
public final class HealthTracker {
    private static final long NEVER = Long.MIN_VALUE;

    private final NanoClock clock;
    private final long suspectAfterNanos;
    private final long unhealthyAfterNanos;
    private volatile long lastContactNanos = NEVER;
    /** Start of the current run of failed deliveries, {@link #NEVER} when the last delivery succeeded. */
    private volatile long failingSinceNanos = NEVER;
    private volatile String lastFailure;
    /** Why the secondary refuses this log, null while it accepts it. */
    private volatile String divergence;
    /** Why the cluster-key handshake with it failed, null once it succeeded (or while no key is used). */
    private volatile String unauthorized;

    public HealthTracker(final NanoClock clock, final long suspectAfterMs, final long unhealthyAfterMs) {
        this.clock = clock;
        this.suspectAfterNanos = suspectAfterMs * 1_000_000L;
        this.unhealthyAfterNanos = unhealthyAfterMs * 1_000_000L;
    }

    /** The secondary answered something just now (an ACK, an error, a heartbeat answer). */
    public void contact() {
        lastContactNanos = clock.nanoTime();
    }

    /** A delivery succeeded (or there was nothing to deliver): ends a run of failures. */
    public void delivered() {
        failingSinceNanos = NEVER;
        lastFailure = null;
    }

    /** A delivery attempt failed; {@code reason} is shown while the secondary is Failing. */
    public void failed(final String reason) {
        if (failingSinceNanos == NEVER) {
            failingSinceNanos = clock.nanoTime();
        }
        lastFailure = reason;
    }

    /** The secondary refuses this log (it holds another one). */
    public void refusedLog(final String reason) {
        divergence = reason;
    }

    /** The secondary acknowledged this log: whatever it refused before, it follows it now. */
    public void acceptedLog() {
        divergence = null;
    }

    /** The secondary did not prove the cluster key, or refused the master's proof or its frames for lack of one. */
    public void unauthorized(final String reason) {
        unauthorized = reason;
    }

    /** The cluster-key handshake succeeded. */
    public void authenticated() {
        unauthorized = null;
    }

    public SecondaryHealth status() {
        if (unauthorized != null) {
            return SecondaryHealth.Unauthorized;
        }
        if (divergence != null) {
            return SecondaryHealth.Diverged;
        }
        final long now = clock.nanoTime();
        final long last = lastContactNanos;
        if (last == NEVER || now - last >= unhealthyAfterNanos) {
            return SecondaryHealth.Unhealthy;
        }
        final long failingSince = failingSinceNanos;
        if (failingSince != NEVER && now - failingSince >= unhealthyAfterNanos) {
            return SecondaryHealth.Failing;
        }
        return now - last >= suspectAfterNanos ? SecondaryHealth.Suspected : SecondaryHealth.Healthy;
    }

    /** Why the secondary is in {@code status} (from {@link #status()}), null when Healthy. */
    public String reason(final SecondaryHealth status) {
        return switch (status) {
            case Healthy -> null;
            case Diverged -> "refuses this log: " + divergence;
            case Unauthorized -> "not authenticated: " + unauthorized;
            case Failing -> "every delivery failed for " + (clock.nanoTime() - failingSinceNanos) / 1_000_000L
                + " ms, last: " + lastFailure;
            case Suspected, Unhealthy -> lastContactNanos == NEVER ? "never answered"
                : "no answer for " + silentMs() + " ms";
        };
    }

    /** Milliseconds since the last answer, -1 if never. */
    public long silentMs() {
        final long last = lastContactNanos;
        return last == NEVER ? -1 : (clock.nanoTime() - last) / 1_000_000L;
    }
}
