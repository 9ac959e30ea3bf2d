package io.replog.node.logging;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one report of a repeating event through per second, with how many happened since: for events a peer can
 * cause at will (refused connections, refused replication), so that it cannot flood the node's log. Any thread.
 */
public final class OncePerSecond {
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoClock;
    private final AtomicInteger unreported = new AtomicInteger();
    private final AtomicLong nextReport;

    public OncePerSecond(final LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.nextReport = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Counts one occurrence; returns how many occurred since the last report, this one included, when this one is
     * to be reported, else 0.
     */
    public int occurred() {
        unreported.incrementAndGet();
        final long now = nanoClock.getAsLong();
        final long due = nextReport.get();
        if (now - due >= 0 && nextReport.compareAndSet(due, now + INTERVAL_NANOS)) {
            return unreported.getAndSet(0);
        }
        return 0;
    }
}
