package io.replog.node.cluster;

import io.replog.node.consensus.Replica;
import io.replog.node.log.LogFullException;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The one thread a failover node's {@link Replica} runs on. Everything that concerns it (peer messages, client
 * appends, the store's durable position) arrives as a task through a lock-free MPSC queue; the thread runs them in
 * order, then lets the replica send what they produced in one go ({@link Replica#flush}), and ticks it every
 * {@value #TICK_MS} ms. Idle, it parks until a task comes or the next tick is due: it never spins; a task wakes it
 * only when it sleeps.
 *
 * <p>What peers say ({@link #executeFirst}: their messages, the store's durable reports) has its own queue, run
 * before the clients' appends, and a backlog of appends is worked through a tick at a time: a burst of appends that
 * takes seconds to store (a loaded machine) must neither hold back the heartbeats and sends (ticks and flushes run
 * in between) nor the peers' answers behind it, or the master would judge its peers silent by its own delay (a
 * static master turned read-only "for want of a quorum", a failover master stepped down).
 */
final class ReplicaDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaDriver.class);
    static final long TICK_MS = 10;
    private static final int DRAIN_LIMIT = 4096;

    private final MpscUnboundedXaddArrayQueue<Runnable> tasks = new MpscUnboundedXaddArrayQueue<>(1024);
    /** What peers say: run before the tasks queued behind it. */
    private final MpscUnboundedXaddArrayQueue<Runnable> first = new MpscUnboundedXaddArrayQueue<>(1024);
    /** Appends run between looks at the clock (and at the peers' queue) while a backlog is worked through. */
    private static final int CHUNK = 16;
    private final Thread thread;
    private volatile boolean running = true;
    /**
     * Set while the thread is about to park or parked: a producer unparks it only then (an unpark is a syscall
     * when it sleeps, and a contended lock when it does not; one per append cost the engine its throughput).
     */
    private volatile boolean sleeping;
    /** Set once the thread has stopped: later tasks run on their caller's thread ({@link #runLate}). */
    private volatile boolean stopped;
    private Replica replica;
    private Runnable everyTick = () -> { };

    ReplicaDriver(final String name) {
        // a FastThreadLocalThread: what it calls uses Netty's FastThreadLocal (the latency histograms, the
        // allocator's caches, the recycler), which on a plain thread falls back to a ThreadLocal lookup per call
        this.thread = new io.netty.util.concurrent.FastThreadLocalThread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Starts driving {@code value}; {@code tick} runs on the thread after each replica tick (timeouts). */
    void start(final Replica value, final Runnable tick) {
        this.replica = value;
        this.everyTick = tick;
        thread.start();
    }

    /** From any thread: run {@code task} with the replica, on the replica's thread. Never blocks. */
    void execute(final Consumer<Replica> task) {
        offer(tasks, task);
    }

    /**
     * The same for what a peer says (or the store reports): it runs before the tasks queued so far, in its own
     * order. Never blocks.
     */
    void executeFirst(final Consumer<Replica> task) {
        offer(first, task);
    }

    private void offer(final MpscUnboundedXaddArrayQueue<Runnable> queue, final Consumer<Replica> task) {
        queue.offer(() -> task.accept(replica));
        // the thread sets sleeping before it checks the queue a last time, and this reads it after the offer: either
        // it sees this task, or this sees it sleeping (both volatile: no wake-up is lost)
        if (sleeping) {
            LockSupport.unpark(thread);
        }
        if (stopped) {
            // a request that raced the stop (a role change while its frame was read): the stopped replica answers it
            // (NOT_MASTER, SHUTTING_DOWN) instead of leaving it in a queue nobody drains
            runLate();
        }
    }

    /** Tasks queued after the thread stopped, one caller at a time (the queue has a single consumer). */
    private synchronized void runLate() {
        first.drain(this::runTask);
        tasks.drain(this::runTask);
    }

    boolean onDriverThread() {
        return Thread.currentThread() == thread;
    }

    private void run() {
        final long tickNanos = TimeUnit.MILLISECONDS.toNanos(TICK_MS);
        long nextTick = System.nanoTime() + tickNanos;
        while (running) {
            int done = first.drain(this::runTask, DRAIN_LIMIT);
            // a backlog is worked through until the next tick is due, the peers' queue looked at between chunks
            while (done < DRAIN_LIMIT) {
                final int ran = tasks.drain(this::runTask, CHUNK);
                done += ran + first.drain(this::runTask, DRAIN_LIMIT);
                if (ran < CHUNK || System.nanoTime() - nextTick >= 0) {
                    break;
                }
            }
            final long now = System.nanoTime();
            if (now - nextTick >= 0) {
                nextTick = now + tickNanos;
                guarded(replica::tick);
                guarded(everyTick);
            }
            guarded(replica::flush);
            if (done == 0) {
                sleeping = true;
                if (tasks.isEmpty() && first.isEmpty() && running) {
                    LockSupport.parkNanos(this, Math.max(0, nextTick - System.nanoTime()));
                }
                sleeping = false;
            }
        }
    }

    private void runTask(final Runnable task) {
        guarded(task);
    }

    private void guarded(final Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            // a failed step (the disk, a bug, even an Error) leaves the replica's idea of its log in doubt: it stops
            // taking part (fail-stop, like a crashed node) rather than go on from a state that may be false; a
            // thread that simply died would leave a master that never steps down
            LOG.error("node: the replica failed a step and stops taking part in its cluster: {}", e.toString(), e);
            try {
                // a full log says so in its own words ("the log is full: …"), other failures by their type
                replica.halt(e instanceof LogFullException ? e.getMessage() : e.toString());
            } catch (Throwable again) {
                LOG.error("node: halting the replica failed too: {}", again.toString(), again);
            }
        }
    }

    /** Runs {@code task} with the replica on its thread and waits (at most a few seconds) for it to have run. */
    void runAndWait(final Consumer<Replica> task) {
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        execute(replica -> {
            try {
                task.accept(replica);
            } finally {
                done.countDown();
            }
        });
        try {
            done.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the thread. Tasks queued after its last drain run here, on the caller's thread: the node stopped the
     * replica first ({@link Replica#shutDown}), so an append that raced the stop is answered rather than forgotten.
     */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (replica != null && !thread.isAlive()) {
            stopped = true;
            runLate();
        }
    }
}
