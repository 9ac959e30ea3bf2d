package io.replog.node.master;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * An idle strategy for 2-core machines: never spins. When a duty cycle found no work the thread parks until a
 * producer calls {@link #wake()} or the next deadline. Producers call {@code wake()} after publishing work; the
 * sleeper re-checks for work after announcing that it parks, so a wake-up is never lost (both sides use volatile
 * accesses, so one of them always sees the other).
 */
public final class ParkingIdleStrategy implements IdleStrategy {
    /** Longest park without a wake-up: a safety net, and how quickly close() is noticed. */
    static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final BooleanSupplier hasWork;
    private final LongSupplier parkNanos;
    private volatile Thread owner;
    private volatile boolean parked;

    /**
     * @param hasWork   true when work arrived that the next duty cycle would find
     * @param parkNanos how long the owner may sleep at most (time to its next deadline)
     */
    public ParkingIdleStrategy(final BooleanSupplier hasWork, final LongSupplier parkNanos) {
        this.hasWork = hasWork;
        this.parkNanos = parkNanos;
    }

    @Override
    public void idle(final int workCount) {
        if (workCount <= 0) {
            idle();
        }
    }

    @Override
    public void idle() {
        if (owner == null) {
            owner = Thread.currentThread();
        }
        parked = true;
        if (!hasWork.getAsBoolean()) {
            final long nanos = Math.min(MAX_PARK_NANOS, parkNanos.getAsLong());
            if (nanos > 0) {
                LockSupport.parkNanos(this, nanos);
            }
        }
        parked = false;
    }

    @Override
    public void reset() {
    }

    /** Wakes the owner if it is parked; cheap when it is not. */
    public void wake() {
        if (parked) {
            final Thread t = owner;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    @Override
    public String alias() {
        return "parking";
    }
}
