package io.replog.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leak check is not blind: a buffer dropped without release() fails the check that follows, with the detector's
 * record of where it was allocated, even when nothing else is allocated after it and even when the detector stays
 * silent about it (a trace it reported once); a buffer still held is not a leak.
 */
class LeakCheckExtensionTest {
    private final LeakCheckExtension check = new LeakCheckExtension();

    /** Allocates a buffer and drops it: once this returns, nothing refers to it. */
    private static void leakOne() {
        final ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buffer.writeLong(42);
    }

    @Test
    void aBufferDroppedWithoutReleaseFailsTheCheckWithWhereItWasAllocated() {
        leakOne();
        final AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> check.afterEach(null));
        assertTrue(failure.getMessage().contains("Netty buffer leak detected"), failure.getMessage());
        assertTrue(failure.getMessage().contains("LeakCheckExtensionTest.leakOne"), failure.getMessage());
    }

    @Test
    void theSameLeakAgainFailsTooThoughTheDetectorReportsEachTraceOnce() {
        for (int round = 0; round < 2; round++) {
            leakOne(); // the same allocation trace both times: the detector reports only the first
            final AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> check.afterEach(null),
                "leak " + (round + 1));
            assertTrue(failure.getMessage().contains("LeakCheckExtensionTest.leakOne"), failure.getMessage());
        }
    }

    @Test
    void aBufferStillHeldIsNoLeakAndAReleasedOneLeavesNothingToCheck() {
        final ByteBuf held = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        try {
            assertDoesNotThrow(() -> check.afterEach(null));
        } finally {
            held.release();
        }
        assertDoesNotThrow(() -> check.afterEach(null));
    }
}
