package io.replog.node.link;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's backoff: from 50 ms, doubling, capped, jitter in [d/2, d); at the cap only when not up. */
class RetryBackoffTest {
    private static final RetryBackoff LOWEST = new RetryBackoff(1_000, bound -> 0);
    private static final RetryBackoff HIGHEST = new RetryBackoff(1_000, bound -> bound - 1);

    @Test
    void doublesFrom50MsPerConsecutiveFailureUpToTheCap() {
        final long[] expectedD = {50, 100, 200, 400, 800, 1_000, 1_000, 1_000};
        for (int failures = 1; failures <= expectedD.length; failures++) {
            final long d = expectedD[failures - 1];
            assertEquals(d / 2, LOWEST.delayMs(failures, false), "lowest after " + failures + " failures");
            assertEquals(d - 1, HIGHEST.delayMs(failures, false), "highest after " + failures + " failures");
        }
        assertEquals(999, HIGHEST.delayMs(1_000_000, false), "no overflow after very many failures");
    }

    @Test
    void aSecondaryThatIsNotUpIsRetriedAtTheCapFromTheFirstFailure() {
        assertEquals(500, LOWEST.delayMs(1, true));
        assertEquals(999, HIGHEST.delayMs(1, true));
    }

    @Test
    void theCapIsTheConfiguredOne() {
        final RetryBackoff small = new RetryBackoff(120, bound -> bound - 1);
        assertEquals(99, small.delayMs(2, false));
        assertEquals(119, small.delayMs(3, false));
        assertEquals(119, small.delayMs(9, true));
    }
}
