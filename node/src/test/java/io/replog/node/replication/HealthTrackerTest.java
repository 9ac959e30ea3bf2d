package io.replog.node.replication;

import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health states move with an injected clock: no sleeping. Suspected after 1.5 s of silence, Unhealthy after 3 s. */
class HealthTrackerTest {
    private final CachedNanoClock clock = new CachedNanoClock();
    private final HealthTracker tracker = new HealthTracker(clock, 1_500, 3_000);

    HealthTrackerTest() {
        clock.update(1_000_000_000L);
    }

    private void advanceMs(final long ms) {
        clock.advance(ms * 1_000_000L);
    }

    @Test
    void neverSeenIsUnhealthy() {
        assertEquals(SecondaryHealth.Unhealthy, tracker.status());
        assertEquals(-1, tracker.silentMs());
        assertEquals("never answered", tracker.reason(SecondaryHealth.Unhealthy));
    }

    @Test
    void healthySuspectedUnhealthyAndBack() {
        tracker.contact();
        assertEquals(SecondaryHealth.Healthy, tracker.status());
        assertNull(tracker.reason(SecondaryHealth.Healthy));
        advanceMs(1_499);
        assertEquals(SecondaryHealth.Healthy, tracker.status());
        advanceMs(1);
        assertEquals(SecondaryHealth.Suspected, tracker.status());
        assertEquals("no answer for 1500 ms", tracker.reason(SecondaryHealth.Suspected));
        advanceMs(1_499);
        assertEquals(SecondaryHealth.Suspected, tracker.status());
        advanceMs(1);
        assertEquals(SecondaryHealth.Unhealthy, tracker.status());
        assertEquals(3_000, tracker.silentMs());
        tracker.contact();
        assertEquals(SecondaryHealth.Healthy, tracker.status());
    }

    @Test
    void answeringButFailingEveryDeliveryForTheUnhealthyIntervalIsFailing() {
        tracker.contact();
        tracker.failed("REPLICATION_FAILED: the log is full");
        for (int i = 0; i < 29; i++) {
            advanceMs(100);
            tracker.contact(); // it keeps answering: heartbeats, errors
            tracker.failed("REPLICATION_FAILED: the log is full");
            assertEquals(SecondaryHealth.Healthy, tracker.status(), "failing for only " + (i + 1) * 100 + " ms");
        }
        advanceMs(100);
        tracker.contact();
        assertEquals(SecondaryHealth.Failing, tracker.status());
        assertFalse(SecondaryHealth.Failing.isUp());
        assertEquals("every delivery failed for 3000 ms, last: REPLICATION_FAILED: the log is full",
            tracker.reason(SecondaryHealth.Failing));
        tracker.delivered();
        assertEquals(SecondaryHealth.Healthy, tracker.status(), "one delivery ends the run");
    }

    @Test
    void occasionalFailuresBetweenDeliveriesNeverMakeItFailing() {
        tracker.contact();
        for (int i = 0; i < 100; i++) {
            tracker.failed("REPLICATION_FAILED: injected");
            advanceMs(500);
            tracker.contact();
            tracker.delivered();
            assertEquals(SecondaryHealth.Healthy, tracker.status());
        }
    }

    @Test
    void silenceWinsOverFailing() {
        tracker.contact();
        tracker.failed("x");
        advanceMs(3_000);
        assertEquals(SecondaryHealth.Unhealthy, tracker.status(), "a failing secondary that went quiet is down");
    }

    @Test
    void refusingTheLogIsDivergedUntilItAcceptsItWhateverElseHappens() {
        tracker.contact();
        tracker.refusedLog("holds 1000 messages of another log (abc)");
        assertEquals(SecondaryHealth.Diverged, tracker.status());
        assertFalse(SecondaryHealth.Diverged.isUp());
        assertEquals("refuses this log: holds 1000 messages of another log (abc)",
            tracker.reason(SecondaryHealth.Diverged));
        tracker.contact();
        tracker.delivered();
        assertEquals(SecondaryHealth.Diverged, tracker.status(), "answering is not accepting the log");
        tracker.acceptedLog();
        assertEquals(SecondaryHealth.Healthy, tracker.status());
        assertTrue(SecondaryHealth.Healthy.isUp() && SecondaryHealth.Suspected.isUp());
        assertFalse(SecondaryHealth.Unhealthy.isUp());
    }
}
