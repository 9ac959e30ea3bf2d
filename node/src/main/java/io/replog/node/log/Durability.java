package io.replog.node.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The flush policy at work: when fsyncs happen and when {@link LogStore#durableId()} advances.
 * <ul>
 *   <li>{@code batch}: a flusher thread parks until something is committed and not yet durable, fsyncs the active
 *       segment once for all of it, publishes the new durable id and calls the listener; commits made during the
 *       fsync wait for the next one (group commit, as BookKeeper's journal). A segment is fsynced when it is sealed,
 *       so one fsync of the active segment covers everything committed.</li>
 *   <li>{@code interval:MS}: durable at commit (the listener is called from {@code commit()}); a timer thread fsyncs
 *       every MS ms if something was written.</li>
 *   <li>{@code never}: durable at commit; the OS writes back when it likes.</li>
 * </ul>
 * Forcing happens under a lock that truncation and close also take, so a segment is never cut or closed under an
 * fsync, and a durable id computed before a cut is never published after it.
 */
final class Durability implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Durability.class);

    private final FileIo io;
    /** The store's last committed id and active segment: what an fsync now would cover. */
    private final LongSupplier lastId;
    /** The store's committed epoch marks (they take no msg_id, so the last id does not show them). */
    private final IntSupplier marks;
    private final Supplier<Segment> active;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong fsyncs = new AtomicLong();
    private volatile long durableId;
    /** How many of the store's marks are durable (the first ones). */
    private volatile int durableMarks;
    /** The last id an fsync covered; guarded by {@link #lock}. */
    private long forcedId;
    private volatile LongConsumer listener;
    private volatile Consumer<String> failureListener;
    private volatile FsyncObserver observer = FsyncObserver.NONE;
    private volatile IOException failure;
    private volatile boolean stopping;
    private final Thread flusher;
    private final ScheduledExecutorService timer;

    Durability(final String name, final FlushPolicy policy, final FileIo io, final LongSupplier lastId,
               final IntSupplier marks, final Supplier<Segment> active, final long recoveredId) {
        this.io = io;
        this.lastId = lastId;
        this.marks = marks;
        this.active = active;
        this.durableId = recoveredId;
        this.durableMarks = marks.getAsInt();
        this.forcedId = recoveredId;
        this.flusher = policy.kind() == FlushPolicy.Kind.BATCH ? new Thread(this::flushLoop, name + "-flusher") : null;
        this.timer = policy.kind() == FlushPolicy.Kind.INTERVAL ? Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread thread = new Thread(r, name + "-fsync-timer");
            thread.setDaemon(true);
            return thread;
        }) : null;
        if (flusher != null) {
            flusher.setDaemon(true);
            flusher.start();
        }
        if (timer != null) {
            timer.scheduleWithFixedDelay(this::timedFlush, policy.intervalMs(), policy.intervalMs(),
                TimeUnit.MILLISECONDS);
        }
    }

    long durableId() {
        return durableId;
    }

    int durableMarks() {
        return durableMarks;
    }

    void listener(final LongConsumer value) {
        listener = value;
    }

    void failureListener(final Consumer<String> value) {
        failureListener = value;
    }

    void observer(final FsyncObserver value) {
        observer = value == null ? FsyncObserver.NONE : value;
    }

    long fsyncs() {
        return fsyncs.get();
    }

    /** Why the log can no longer be made durable (an fsync failed), or null. */
    IOException failure() {
        return failure;
    }

    /** Writer: entries up to {@code lastId} (and the store's marks) were committed (and are readable). */
    void committed(final long lastId) {
        if (flusher != null) {
            LockSupport.unpark(flusher);
            return;
        }
        durableMarks = marks.getAsInt();
        durableId = lastId;
        notifyListener(lastId);
    }

    /** An fsync of {@code channel} that makes {@code messages} more messages durable, counted and timed. */
    void force(final FileChannel channel, final long messages) throws IOException {
        final long start = System.nanoTime();
        try {
            io.force(channel);
        } catch (IOException e) {
            fail(e);
            throw e;
        }
        fsyncs.incrementAndGet();
        observer.fsynced(System.nanoTime() - start, messages);
    }

    /** An fsync that seals or cuts a segment: it makes no new message durable. */
    void force(final FileChannel channel) throws IOException {
        force(channel, 0);
    }

    private void flushLoop() {
        while (!stopping && failure == null) {
            if (lastId.getAsLong() > durableId || marks.getAsInt() > durableMarks) {
                flushOnce();
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** The flusher's round: everything written so far, one fsync, then the listener. */
    private void flushOnce() {
        lock.lock();
        try {
            // read before the fsync: what was published by then was written before it, so the fsync covers it
            final long target = lastId.getAsLong();
            final int targetMarks = marks.getAsInt();
            final Segment segment = active.get();
            if (target <= durableId && targetMarks <= durableMarks || segment == null) {
                return;
            }
            force(segment.channel(), Math.max(0, target - durableId));
            forcedId = target;
            durableMarks = targetMarks;
            durableId = target;
            notifyListener(target);
        } catch (IOException e) {
            // force() recorded it
        } finally {
            lock.unlock();
        }
    }

    private void timedFlush() {
        lock.lock();
        try {
            final long target = lastId.getAsLong();
            final Segment segment = active.get();
            if (target > forcedId && segment != null && failure == null) {
                force(segment.channel(), target - forcedId);
                forcedId = target;
            }
        } catch (IOException e) {
            // force() recorded it
        } finally {
            lock.unlock();
        }
    }

    private synchronized void fail(final IOException e) {
        // as PostgreSQL learned: after a failed fsync the dirty pages may be gone, so never retry and call it durable
        if (failure != null) {
            return;
        }
        failure = e;
        LOG.error("fsync failed; the log can no longer be made durable and refuses further writes (durable up to "
            + "msg_id {}): restart the node once the disk is fixed", durableId, e);
        final Consumer<String> l = failureListener;
        if (l != null) {
            try {
                l.accept("an fsync failed (" + e.getMessage() + "); the log is durable up to msg_id " + durableId);
            } catch (RuntimeException r) {
                LOG.error("storage failure listener failed", r);
            }
        }
    }

    private void notifyListener(final long id) {
        final LongConsumer l = listener;
        if (l == null) {
            return;
        }
        try {
            l.accept(id);
        } catch (RuntimeException e) {
            LOG.error("durability listener failed at msg_id {}", id, e);
        }
    }

    /** Truncation and close hold this while they cut, delete or close segment files. */
    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** Under the lock: the log was cut after {@code lastKept} and what remains was fsynced. */
    void cut(final long lastKept) {
        forcedId = Math.min(forcedId, lastKept);
        durableMarks = Math.min(durableMarks, marks.getAsInt());
        durableId = Math.min(durableId, lastKept);
    }

    /** Under the lock: everything up to {@code lastId} was fsynced (close). */
    void forced(final long lastId) {
        forcedId = lastId;
        durableMarks = marks.getAsInt();
        durableId = Math.max(durableId, lastId);
    }

    /** Stops the flusher and the timer (the store's close fsyncs afterwards). */
    @Override
    public void close() {
        stopping = true;
        if (flusher != null) {
            LockSupport.unpark(flusher);
            try {
                flusher.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (timer != null) {
            timer.shutdown(); // never interrupt: an interrupt during force() would close the channel
            try {
                timer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
