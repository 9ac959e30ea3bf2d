package io.replog.node.server;

import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The node's waiting READs (flag WAIT, {@code logctl tail -f}): each is parked here until the node can serve its
 * from_id, and woken by the role that advances what the node serves (the master's durable position, a secondary's
 * replicated one) instead of being polled for. At most one per connection, so the connection cap bounds them. When
 * nobody waits, an advance costs one volatile read.
 *
 * <p>No wake-up is lost: a READ registers (a full fence), then reads the node's position again; an advance publishes
 * the position (volatile), then reads {@link #waiting}. Of the two, one sees the other's write. Whichever of the
 * wake-up, the READ's own re-check and its timeout claims the waiter first answers it; the others do nothing.
 */
public final class ReadWaiters implements LongConsumer {
    /** A parked READ: who to wake once the node serves {@code fromId}. */
    public static final class Waiter {
        private final long fromId;
        private final Runnable wake;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Waiter(final long fromId, final Runnable wake) {
            this.fromId = fromId;
            this.wake = wake;
        }

        /** True for the one caller (advance, re-check, timeout, close) that gets to answer it. */
        public boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }

    private final Queue<Waiter> parked = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * Parks a READ of {@code fromId}; {@code wake} runs (on the advancing thread: it must only hand over to the
     * connection's event loop) once the node serves it. The caller re-checks the node's position afterwards.
     */
    public Waiter park(final long fromId, final Runnable wake) {
        final Waiter waiter = new Waiter(fromId, wake);
        waiting.incrementAndGet(); // before it can be found and removed: the count never reads 0 while one waits
        parked.add(waiter);
        return waiter;
    }

    /** Forgets a waiter its READ answered itself (timeout, re-check, closed connection). */
    public void remove(final Waiter waiter) {
        if (parked.remove(waiter)) {
            waiting.decrementAndGet();
        }
    }

    /** The node now serves everything up to {@code readableId}. Any thread; never blocks. */
    @Override
    public void accept(final long readableId) {
        if (waiting.get() == 0) {
            return;
        }
        for (final Iterator<Waiter> it = parked.iterator(); it.hasNext(); ) {
            final Waiter waiter = it.next();
            if (waiter.fromId <= readableId && waiter.claim()) {
                // the woken READ forgets its waiter itself, on its event loop (remove is a walk of the queue:
                // not here, once per waiter, on the thread that makes the log durable)
                try {
                    waiter.wake.run();
                } catch (RejectedExecutionException e) {
                    remove(waiter); // the connection's event loop is shutting down: nobody is left to answer
                }
            }
        }
    }

    /** READs waiting now. */
    public int waiting() {
        return waiting.get();
    }
}
