package io.replog.node.replication;

import org.agrona.concurrent.CachedNanoClock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** {@link Timers} driven by a test's clock: tasks run when the test says time has come. */
final class ManualTimers implements Timers {
    private record Due(long atNanos, FutureTask<Void> task) {
    }

    private final CachedNanoClock clock;
    private final List<Due> due = new ArrayList<>();
    /** When false, cancel() is ignored: a timer that fires although its owner tried to cancel it (a race). */
    boolean honourCancel = true;

    ManualTimers(final CachedNanoClock clock) {
        this.clock = clock;
    }

    @Override
    public Future<?> schedule(final Runnable task, final long delay, final TimeUnit unit) {
        final FutureTask<Void> f = new FutureTask<>(task, null) {
            @Override
            public boolean cancel(final boolean interrupt) {
                return honourCancel && super.cancel(interrupt);
            }
        };
        due.add(new Due(clock.nanoTime() + unit.toNanos(delay), f));
        return f;
    }

    /** Advances the clock by {@code ms} and runs every task due by then, in order. */
    void advanceMs(final long ms) {
        clock.advance(TimeUnit.MILLISECONDS.toNanos(ms));
        final List<Due> ready = due.stream().filter(d -> d.atNanos() <= clock.nanoTime()).sorted(
            (a, b) -> Long.compare(a.atNanos(), b.atNanos())).toList();
        due.removeAll(ready);
        ready.forEach(d -> d.task().run());
    }

    int pending() {
        return (int) due.stream().filter(d -> !d.task().isDone()).count();
    }
}
