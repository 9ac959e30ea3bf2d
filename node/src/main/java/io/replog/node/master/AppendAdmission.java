package io.replog.node.master;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node-wide bound on w&gt;1 appends admitted and not yet answered (queued for the sequencer or waiting for their
 * write concern). Past it such an append is refused at once with OVERLOADED instead of growing memory: with a dead
 * secondary, w=3 clients would otherwise pile up requests without end. Any thread.
 */
final class AppendAdmission {
    private final int max;
    private final AtomicInteger admitted = new AtomicInteger();
    /** Given to each admitted request, run once when it is answered. */
    final Runnable release = this::release;

    AppendAdmission(final int max) {
        this.max = max;
    }

    /** Takes a place, or returns false when all {@code max} are taken. */
    boolean tryAdmit() {
        if (admitted.incrementAndGet() > max) {
            admitted.decrementAndGet();
            return false;
        }
        return true;
    }

    private void release() {
        admitted.decrementAndGet();
    }

    int admitted() {
        return admitted.get();
    }

    int max() {
        return max;
    }
}
