package io.replog.node.logging;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts one repeating condition in a row, so that it is logged on the 1st and every 10th occurrence: a master
 * retries without limit, and one line per retry would flood the log. Any thread.
 */
public final class RepeatCounter {
    private final AtomicLong inARow = new AtomicLong();

    /** One more occurrence; returns its number in the current run, or 0 when this one should not be logged. */
    public long occurred() {
        final long n = inARow.incrementAndGet();
        return n == 1 || n % 10 == 0 ? n : 0;
    }

    /** The run ended (the condition cleared). */
    public void ended() {
        if (inARow.get() != 0) {
            inARow.set(0);
        }
    }
}
