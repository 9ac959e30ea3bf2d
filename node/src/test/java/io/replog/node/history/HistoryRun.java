package io.replog.node.history;

import io.replog.node.consensus.BrokenRule;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One history run: a cluster of real node processes (failover, or fixed roles) behind the test's network, clients
 * and readers recording every operation, the nemesis causing faults for {@code faultMs}; then every fault healed,
 * the clients stopped, one last append with w = every node (so every node has everything and knows it is
 * committed), and every node's whole log read. The history is saved under {@code target/history/} and checked.
 */
final class HistoryRun {
    /** What to run. */
    record Options(HistoryCluster.Mode mode, long seed, long faultMs, int clients, int readers,
                   Set<Nemesis.Fault> faults, BrokenRule broken, List<String> flags) {
        Options {
            faults = Set.copyOf(faults);
            flags = List.copyOf(flags);
        }
    }

    private static final int NODES = 3;
    private static final long CONVERGE_MS = 60_000;
    private static final Path SAVED = Path.of("target", "history");
    /** The barrier's tag: no client of the run has this id. */
    private static final long BARRIER_CLIENT = Long.MAX_VALUE;

    private HistoryRun() {
    }

    /** Runs {@code options}; returns the saved history (the file is named in the output). */
    static History.Saved run(final Options options) throws Exception {
        final List<String> jvm = options.broken() == BrokenRule.NONE ? List.of()
            : List.of("-D" + BrokenRule.PROPERTY + "=" + options.broken());
        final History history = new History();
        final History.Saved saved;
        try (HistoryCluster cluster = new HistoryCluster(name(options), options.mode(), NODES, jvm,
            options.flags())) {
            final List<Appender> appenders = new ArrayList<>();
            final List<Reader> readers = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < options.clients(); i++) {
                final Appender appender = new Appender(cluster, history, i, options.seed());
                appenders.add(appender);
                threads.add(thread("history-client-" + i, appender));
            }
            for (int i = 0; i < options.readers(); i++) {
                final Reader reader = new Reader(cluster, history, i, options.seed());
                readers.add(reader);
                threads.add(thread("history-reader-" + i, reader));
            }
            final Nemesis nemesis = new Nemesis(cluster, history, options.seed(), options.faultMs(),
                options.faults());
            final Thread nemesisThread = thread("history-nemesis", nemesis);
            Throwable healing = null;
            try {
                nemesisThread.join(options.faultMs() + 120_000);
            } finally {
                nemesis.stop();
                nemesisThread.join(60_000);
                try {
                    nemesis.healAll();
                } catch (Throwable t) {
                    healing = t;
                }
                // the clients stop before anything closes under them
                appenders.forEach(Appender::stop);
                readers.forEach(Reader::stop);
                for (final Thread t : threads) {
                    t.join(30_000);
                    if (t.isAlive()) {
                        throw new AssertionError(t.getName() + " did not stop");
                    }
                }
            }
            if (nemesis.failure() != null || healing != null) {
                throw new AssertionError("the nemesis could not do its work (the run says nothing)",
                    nemesis.failure() != null ? nemesis.failure() : healing);
            }
            final long barrier = barrier(cluster, history);
            final List<History.FinalLog> logs = finalLogs(cluster, barrier);
            saved = new History.Saved(options.seed(), options.broken().name(), options.mode(), NODES,
                cluster.epoch(), history.appends(), history.reads(), history.faults(), logs);
        }
        final Path file = SAVED.resolve(name(options) + "-" + options.broken() + ".jsonl");
        History.save(saved, file);
        System.out.println("history saved to " + file.toAbsolutePath() + " (" + saved.appends().size()
            + " appends, " + saved.reads().size() + " reads, " + saved.faults().size() + " faults)");
        return saved;
    }

    /** history-SEED (failover, as before fixed roles had runs) or history-fixed-SEED. */
    private static String name(final Options options) {
        return options.mode() == HistoryCluster.Mode.FAILOVER ? "history-" + options.seed()
            : "history-fixed-" + options.seed();
    }

    private static Thread thread(final String name, final Runnable body) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** One last append with w = every node, sent until it is acknowledged; its msg_id. */
    private static long barrier(final HistoryCluster cluster, final History history) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONVERGE_MS);
        final byte[] payload = "barrier".getBytes(StandardCharsets.UTF_8);
        final double invoked = history.nowMs();
        int attempts = 0;
        while (System.nanoTime() < deadline) {
            attempts++;
            final int master = cluster.master();
            if (master != 0) {
                try (ReplogClient client = cluster.connect(master)) {
                    final long id = client.append(payload, NODES, 5_000, BARRIER_CLIENT, 1).get(10, TimeUnit.SECONDS);
                    history.append(new History.Append(history.nextIndex(), "final", "barrier", NODES, BARRIER_CLIENT, 1,
                        invoked, history.nowMs(), History.Outcome.OK, id, attempts, cluster.address(master), null));
                    return id;
                } catch (Exception e) {
                    // an election, a master still taking back its tail, or not yet heard from every node: again
                }
            }
            sleep(100);
        }
        history.append(new History.Append(history.nextIndex(), "final", "barrier", NODES, BARRIER_CLIENT, 1, invoked,
            history.nowMs(), History.Outcome.INFO, 0, attempts, null, "no master acknowledged it within "
                + CONVERGE_MS + " ms"));
        return Long.MAX_VALUE;
    }

    /** Every node's whole log, once it serves the barrier (or after the deadline, as it is). */
    private static List<History.FinalLog> finalLogs(final HistoryCluster cluster, final long barrier) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONVERGE_MS);
        final List<History.FinalLog> logs = new ArrayList<>();
        for (final int id : cluster.ids()) {
            List<String> values = null;
            String error = "never answered";
            do {
                try (ReplogClient client = cluster.connect(id)) {
                    final List<String> read = new ArrayList<>();
                    for (final Message m : client.readAll()) {
                        read.add(m.text());
                    }
                    values = read;
                    error = null;
                } catch (Exception e) {
                    error = e.toString();
                }
                if (values != null && values.size() >= barrier) {
                    break;
                }
                sleep(100);
            } while (System.nanoTime() < deadline);
            logs.add(new History.FinalLog(cluster.address(id), values, error));
        }
        return logs;
    }

    private static void sleep(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
