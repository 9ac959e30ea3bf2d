package io.replog.node.replication;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Health states move with an injected clock: no sleeping. */
class HealthTrackerTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final HealthTracker tracker = new HealthTracker(nanos::get, 1_500, 3_000);

    private void advanceMs(final long ms) {
        nanos.addAndGet(ms * 1_000_000L);
    }

    @Test
    void neverSeenIsUnhealthy() {
        assertEquals(SecondaryHealth.Unhealthy, tracker.status());
        assertEquals(-1, tracker.silentMs());
    }

    @Test
    void healthySuspectedUnhealthyAndBack() {
        tracker.contact();
        assertEquals(SecondaryHealth.Healthy, tracker.status());
        advanceMs(1_499);
        assertEquals(SecondaryHealth.Healthy, tracker.status());
        advanceMs(1);
        assertEquals(SecondaryHealth.Suspected, tracker.status());
        advanceMs(1_499);
        assertEquals(SecondaryHealth.Suspected, tracker.status());
        advanceMs(1);
        assertEquals(SecondaryHealth.Unhealthy, tracker.status());
        assertEquals(3_000, tracker.silentMs());
        tracker.contact();
        assertEquals(SecondaryHealth.Healthy, tracker.status());
    }
}
