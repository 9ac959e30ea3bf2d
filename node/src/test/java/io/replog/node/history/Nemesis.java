package io.replog.node.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The faults of a history run, in an order a seeded {@link Random} shuffles (every kind once before any comes
 * again): one at a time, each held for one to three seconds and then undone, with a quiet spell between them. It kills -9 any node or the master on purpose (and starts it again with its
 * data directory), pauses a node or the master (SIGSTOP, then SIGCONT), isolates a node or the master (its links
 * black-holed both ways), and cuts one way (the master still speaks but hears nobody). Every fault and every heal is
 * recorded in the history. {@link #healAll} ends every fault at the end of the run.
 */
final class Nemesis implements Runnable {
    enum Fault { KILL_ANY, KILL_MASTER, PAUSE_ANY, PAUSE_MASTER, ISOLATE_ANY, ISOLATE_MASTER, MASTER_HEARS_NOBODY }

    private final HistoryCluster cluster;
    private final History history;
    private final Random random;
    private final long runNanos;
    private final List<Fault> faults;
    /** The faults still to come before any repeats: a run of a few faults sees each kind once. */
    private final List<Fault> deck = new ArrayList<>();
    private final List<Integer> killed = new ArrayList<>();
    private final List<Integer> paused = new ArrayList<>();
    private volatile boolean stop;
    private volatile Throwable failure;

    Nemesis(final HistoryCluster cluster, final History history, final long seed, final long runMs,
            final Set<Fault> faults) {
        this.faults = faults.stream().sorted().toList();
        this.cluster = cluster;
        this.history = history;
        this.random = new Random(seed);
        this.runNanos = TimeUnit.MILLISECONDS.toNanos(runMs);
    }

    void stop() {
        stop = true;
    }

    /** Why the nemesis stopped before its time (a node that would not start again), or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            causeFaults();
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void causeFaults() {
        final long end = System.nanoTime() + runNanos;
        while (!stop && System.nanoTime() < end) {
            if (!quiet(500 + random.nextInt(1500))) {
                break;
            }
            if (deck.isEmpty()) {
                deck.addAll(faults);
                Collections.shuffle(deck, random);
            }
            final Fault fault = deck.remove(deck.size() - 1);
            final int victim = victim(fault);
            if (victim == 0) {
                deck.add(fault); // no master right now: nothing to aim at, next time
                continue;
            }
            start(fault, victim);
            quiet(1000 + random.nextInt(2000));
            healAll();
        }
    }

    private int victim(final Fault fault) {
        return switch (fault) {
            case KILL_MASTER, PAUSE_MASTER, ISOLATE_MASTER, MASTER_HEARS_NOBODY -> cluster.master();
            default -> cluster.ids().get(random.nextInt(cluster.size()));
        };
    }

    private void start(final Fault fault, final int victim) {
        switch (fault) {
            case KILL_ANY, KILL_MASTER -> {
                cluster.kill(victim);
                killed.add(victim);
            }
            case PAUSE_ANY, PAUSE_MASTER -> {
                cluster.pause(victim);
                paused.add(victim);
            }
            case ISOLATE_ANY, ISOLATE_MASTER -> cluster.network().isolate(victim);
            case MASTER_HEARS_NOBODY -> {
                for (final int other : cluster.ids()) {
                    if (other != victim) {
                        cluster.network().cut(other, victim);
                    }
                }
            }
            default -> throw new IllegalStateException(fault.name());
        }
        history.fault(fault + " node " + victim + " (cuts: " + cluster.network().describeCuts() + ")");
    }

    /** Heals the network, wakes every paused node and starts every killed one again. */
    synchronized void healAll() {
        cluster.network().heal();
        for (final int id : paused) {
            cluster.resume(id);
            history.fault("resumed node " + id);
        }
        paused.clear();
        for (final int id : killed) {
            cluster.restart(id);
            history.fault("restarted node " + id);
        }
        killed.clear();
        history.fault("healed");
    }

    /** Waits {@code ms} unless stopped; false once stopped. */
    private boolean quiet(final long ms) {
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (!stop && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(50, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !stop;
    }
}
