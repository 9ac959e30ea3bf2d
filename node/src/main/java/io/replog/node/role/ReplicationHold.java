package io.replog.node.role;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A node's replication held until released: the inconsistency window on demand. A test that needs "this
 * secondary does not have it yet" holds it, checks, and releases it, instead of starting the secondary with a
 * --delay-ms long enough to outlast a loaded machine and then waiting that long every time. While held, every
 * replication request that stores entries (an APPEND_ENTRIES with entries)
 * waits (probes and heartbeats are answered: the master sees the secondary up and behind, as with a delay); released, they are applied in the order they came, each on its connection's event
 * loop, and requests that arrive meanwhile queue behind them. Test-only fault injection, like the fail and drop
 * rates: no flag turns it on.
 */
public final class ReplicationHold {
    private final List<Runnable> held = new ArrayList<>();
    private final List<Executor> loops = new ArrayList<>();
    private boolean holding;
    /** Released requests not applied yet: a request that arrives meanwhile must not overtake them. */
    private int releasing;
    /** Fast path for every request of a secondary nobody holds: a volatile read, no lock. */
    private volatile boolean deferring;

    /** Holds every replication request from now on until {@link Held#release()}. */
    public synchronized Held hold() {
        if (holding) {
            throw new IllegalStateException("already held");
        }
        holding = true;
        deferring = true;
        return new Held();
    }

    /** Replication requests held now, waiting for the release. */
    public synchronized int size() {
        return held.size();
    }

    /** False while nothing is held or being released: requests need not ask {@link #defer}. */
    public boolean deferring() {
        return deferring;
    }

    /**
     * Defers {@code apply} while held or while released requests are still being applied; false when it may run
     * now. Called on {@code loop}, the request's connection's event loop, where a deferred {@code apply} runs.
     */
    public boolean defer(final Executor loop, final Runnable apply) {
        synchronized (this) {
            if (holding) {
                held.add(apply);
                loops.add(loop);
                return true;
            }
            if (releasing > 0) {
                submit(loop, apply);
                return true;
            }
            return false;
        }
    }

    private synchronized void release() {
        if (!holding) {
            return;
        }
        holding = false;
        for (int i = 0; i < held.size(); i++) {
            submit(loops.get(i), held.get(i));
        }
        held.clear();
        loops.clear();
        deferring = releasing > 0;
    }

    /** Runs {@code apply} on {@code loop} after what is queued there; holding the lock. */
    private void submit(final Executor loop, final Runnable apply) {
        releasing++;
        try {
            loop.execute(() -> {
                try {
                    apply.run();
                } finally {
                    applied();
                }
            });
        } catch (RejectedExecutionException closed) {
            releasing--; // the node closed meanwhile, and released the request's frame
        }
    }

    private synchronized void applied() {
        releasing--;
        deferring = holding || releasing > 0;
    }

    /** A hold in force: {@link #release()} (or close) lets what it held through, in order. */
    public final class Held implements AutoCloseable {
        private boolean released;

        private Held() {
        }

        /** Requests held now. */
        public int size() {
            return ReplicationHold.this.size();
        }

        /** Lets the held requests through; once (a later hold is not this one's to release). */
        public void release() {
            synchronized (ReplicationHold.this) {
                if (!released) {
                    released = true;
                    ReplicationHold.this.release();
                }
            }
        }

        @Override
        public void close() {
            release();
        }
    }
}
