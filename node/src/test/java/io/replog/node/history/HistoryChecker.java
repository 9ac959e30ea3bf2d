package io.replog.node.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a recorded history run offline, as Jepsen's queue and Kafka checkers do, against what replog promises the
 * clients of a failover cluster (README, "Failover") or of fixed roles (README, "The log on disk" and "Fixed roles
 * on the one replication engine"). The final log (every node's, which must be the same) is the reference; it
 * reports, each with examples:
 * <ul>
 * <li><b>lost</b>: an acknowledged append that must survive and is not in the final log, or is at another msg_id
 * than the one it was given: in a failover cluster one acknowledged with w at or above a majority, with fixed roles
 * every one (w=1 is the static master's fsynced copy, and a static master never fails over);</li>
 * <li><b>moved</b>: an append acknowledged with a smaller w that is in the final log at another msg_id (it may be
 * rolled back, never moved);</li>
 * <li><b>duplicated</b>: a message in the final log more than once;</li>
 * <li><b>phantom</b>: an entry no client appended (an empty one too: a new master's first entry is an epoch mark
 * readers never see), or one whose every attempt was refused before anything was stored;</li>
 * <li><b>reordered</b>: A was acknowledged before B was sent, both are in the final log, and A's msg_id is above
 * B's;</li>
 * <li><b>stale read</b>: a read that returned an entry the final log contradicts (another message at that msg_id,
 * or a msg_id past its end). With fixed roles a node serves what it holds durably, committed or not, so a secondary
 * may have served a tail it was later cut back from: such a read passes when everything it shows from the
 * contradiction on was appended by a client and never acknowledged at that msg_id. And with fixed roles a read is
 * stale when its node says it serves less than an append acknowledged with w = every node before the read began
 * (every node held it durably, and serves what it holds so);</li>
 * <li><b>non-convergence</b>: nodes whose final logs differ, or could not be read;</li>
 * <li><b>unexpected</b>: an answer no client should get (INVALID_REQUEST, an unknown error).</li>
 * </ul>
 * Appends acknowledged with a w below a majority of a failover cluster and missing from the final log are counted
 * as rolled back: the README allows it.
 */
final class HistoryChecker {
    private static final int EXAMPLES = 5;

    private HistoryChecker() {
    }

    static CheckReport check(final History.Saved run) {
        final CheckReport report = new CheckReport(EXAMPLES);
        final boolean fixed = run.mode() == HistoryCluster.Mode.FIXED_ROLES;
        // from this w on an acknowledged append must survive (README: "What is guaranteed, per w"; fixed roles: the
        // --flush table, batch)
        final int kept = fixed ? 1 : run.nodes() / 2 + 1;
        final List<String> log = reference(run, report);
        final Map<String, List<Long>> positions = new HashMap<>();
        for (int i = 0; i < log.size(); i++) {
            positions.computeIfAbsent(log.get(i), v -> new ArrayList<>(1)).add(i + 1L);
        }
        report.count("entries in the final log", log.size());
        final Map<String, History.Append> appended = new HashMap<>();
        for (final History.Append a : run.appends()) {
            appended.put(a.value(), a);
        }
        positions.forEach((value, at) -> {
            if (at.size() > 1) {
                report.violation(CheckReport.Kind.DUPLICATED, "'" + value + "' at msg_ids " + at);
            }
            final History.Append a = appended.get(value);
            if (a == null) {
                report.violation(CheckReport.Kind.PHANTOM, "'" + value + "' at msg_id " + at.get(0)
                    + ": no client appended it");
            } else if (a.outcome() == History.Outcome.FAIL) {
                report.violation(CheckReport.Kind.PHANTOM, "'" + value + "' at msg_id " + at.get(0)
                    + ": every attempt was refused before anything was stored (" + a.error() + ")");
            }
        });
        checkAppends(run, positions, kept, report);
        checkOrder(run, positions, report);
        checkReads(run, log, fixed ? appended : null, report);
        if (fixed) {
            checkReadsServeWhatEveryNodeHeld(run, report);
        }
        return report;
    }

    /** The final log all nodes agree on; a node that disagrees or could not be read is non-convergence. */
    private static List<String> reference(final History.Saved run, final CheckReport report) {
        List<String> reference = null;
        String referenceNode = null;
        for (final History.FinalLog node : run.finalLogs()) {
            if (node.values() == null) {
                report.violation(CheckReport.Kind.NON_CONVERGENCE, node.node() + " could not be read: "
                    + node.error());
                continue;
            }
            if (reference == null || node.values().size() > reference.size()) {
                if (reference != null) {
                    differs(referenceNode, reference, node.node(), node.values(), report);
                }
                reference = node.values();
                referenceNode = node.node();
            } else {
                differs(referenceNode, reference, node.node(), node.values(), report);
            }
        }
        if (reference == null) {
            report.violation(CheckReport.Kind.NON_CONVERGENCE, "no node's log could be read");
            return List.of();
        }
        return reference;
    }

    private static void differs(final String aNode, final List<String> a, final String bNode, final List<String> b,
                                final CheckReport report) {
        if (a.equals(b)) {
            return;
        }
        int first = 0;
        while (first < Math.min(a.size(), b.size()) && a.get(first).equals(b.get(first))) {
            first++;
        }
        report.violation(CheckReport.Kind.NON_CONVERGENCE, aNode + " (" + a.size() + " entries) and " + bNode + " ("
            + b.size() + ") differ from msg_id " + (first + 1));
    }

    private static void checkAppends(final History.Saved run, final Map<String, List<Long>> positions,
                                     final int kept, final CheckReport report) {
        for (final History.Append a : run.appends()) {
            report.count("appends " + a.outcome() + " w=" + a.w(), 1);
            if (a.error() != null && a.error().startsWith("UNEXPECTED")) {
                report.violation(CheckReport.Kind.UNEXPECTED, a.process() + " '" + a.value() + "': " + a.error());
            }
            if (a.outcome() != History.Outcome.OK) {
                if (a.outcome() == History.Outcome.INFO && positions.containsKey(a.value())) {
                    report.count("unknown outcome, stored", 1);
                }
                continue;
            }
            final List<Long> at = positions.get(a.value());
            if (a.w() >= kept) {
                if (at == null) {
                    report.violation(CheckReport.Kind.LOST, describe(a) + " is not in the final log");
                } else if (!at.contains(a.msgId())) {
                    report.violation(CheckReport.Kind.LOST, describe(a) + " is at msg_id " + at + " instead");
                }
            } else if (at == null) {
                report.count("acknowledged with w below a majority, rolled back (allowed)", 1);
            } else if (!at.contains(a.msgId())) {
                report.violation(CheckReport.Kind.MOVED, describe(a) + " is at msg_id " + at + " instead");
            }
        }
    }

    private static String describe(final History.Append a) {
        return String.format("'%s' (w=%d%s, acknowledged as msg_id %d by %s at %.0f ms)", a.value(), a.w(),
            a.clientId() == 0 ? ", untagged" : ", tagged", a.msgId(), a.lastNode(), a.completeMs());
    }

    /**
     * Real-time order: B sent after A was acknowledged must come after A in the log. Sweeps B by invocation time,
     * keeping the highest msg_id among the appends acknowledged before it.
     */
    private static void checkOrder(final History.Saved run, final Map<String, List<Long>> positions,
                                   final CheckReport report) {
        final List<History.Append> acked = run.appends().stream()
            .filter(a -> a.outcome() == History.Outcome.OK && positions.containsKey(a.value()))
            .sorted(Comparator.comparingDouble(History.Append::completeMs)).toList();
        final List<History.Append> present = run.appends().stream()
            .filter(a -> positions.containsKey(a.value()))
            .sorted(Comparator.comparingDouble(History.Append::invokeMs)).toList();
        int next = 0;
        long highest = 0;
        History.Append highestOp = null;
        for (final History.Append b : present) {
            while (next < acked.size() && acked.get(next).completeMs() < b.invokeMs()) {
                final History.Append a = acked.get(next++);
                final long id = positions.get(a.value()).get(0);
                if (id > highest) {
                    highest = id;
                    highestOp = a;
                }
            }
            final long idB = positions.get(b.value()).get(0);
            if (highestOp != null && idB < highest) {
                report.violation(CheckReport.Kind.REORDERED, String.format("'%s' acknowledged at %.0f ms is at msg_id "
                    + "%d, but '%s' sent after it (at %.0f ms) is at msg_id %d", highestOp.value(),
                    highestOp.completeMs(), highest, b.value(), b.invokeMs(), idB));
            }
        }
    }

    /**
     * Every read against the final log. {@code appended} (fixed roles; null in a failover cluster, which serves only
     * the committed prefix): the appends by value, to tell a rolled-back tail from a stale read.
     */
    private static void checkReads(final History.Saved run, final List<String> log,
                                   final Map<String, History.Append> appended, final CheckReport report) {
        for (final History.Read r : run.reads()) {
            report.count("reads", 1);
            report.count("entries read", r.values().size());
            for (int i = 0; i < r.values().size(); i++) {
                final long id = r.from() + i;
                final String read = r.values().get(i);
                final String final_ = id <= log.size() ? log.get((int) id - 1) : null;
                if (Objects.equals(read, final_)) {
                    continue;
                }
                if (appended != null && rolledBack(r, i, appended)) {
                    report.count("reads of a tail later cut back (fixed roles: allowed)", 1);
                } else {
                    report.violation(CheckReport.Kind.STALE_READ, String.format("%s read '%s' at msg_id %d from %s "
                        + "(%.0f..%.0f ms); the final log holds %s there", r.process(), read, id, r.node(),
                        r.invokeMs(), r.completeMs(), final_ == null ? "nothing" : "'" + final_ + "'"));
                }
                break;
            }
        }
    }

    /**
     * Whether what read {@code r} shows from its {@code i}-th value on is a tail its node was cut back from: each
     * value appended by a client (and maybe stored) and none acknowledged at that msg_id.
     */
    private static boolean rolledBack(final History.Read r, final int i, final Map<String, History.Append> appended) {
        for (int j = i; j < r.values().size(); j++) {
            final History.Append a = appended.get(r.values().get(j));
            if (a == null || a.outcome() == History.Outcome.FAIL
                || a.outcome() == History.Outcome.OK && a.msgId() == r.from() + j) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fixed roles: a read that began after an append was acknowledged with w = every node, answered by a node that
     * said it served less than that msg_id, is stale: its node held the msg_id durably, and a node serves what it
     * holds durably. Sweeps the reads by invocation time, keeping the highest msg_id so acknowledged before.
     */
    private static void checkReadsServeWhatEveryNodeHeld(final History.Saved run, final CheckReport report) {
        final List<History.Append> everyNode = run.appends().stream()
            .filter(a -> a.outcome() == History.Outcome.OK && a.w() >= run.nodes())
            .sorted(Comparator.comparingDouble(History.Append::completeMs)).toList();
        final List<History.Read> reads = run.reads().stream()
            .sorted(Comparator.comparingDouble(History.Read::invokeMs)).toList();
        int next = 0;
        History.Append highest = null;
        for (final History.Read r : reads) {
            while (next < everyNode.size() && everyNode.get(next).completeMs() < r.invokeMs()) {
                final History.Append a = everyNode.get(next++);
                if (highest == null || a.msgId() > highest.msgId()) {
                    highest = a;
                }
            }
            if (highest != null && r.lastId() != null && r.lastId() < highest.msgId()) {
                report.violation(CheckReport.Kind.STALE_READ, String.format("%s read from %s (%.0f..%.0f ms), which "
                    + "served up to msg_id %d, but %s had every node hold msg_id %d before", r.process(), r.node(),
                    r.invokeMs(), r.completeMs(), r.lastId(), describe(highest), highest.msgId()));
            }
        }
    }

    /** A short account of the faults around {@code ms}, for a report's reader. */
    static String faultsAround(final History.Saved run, final double ms) {
        final Map<Double, String> near = new LinkedHashMap<>();
        for (final History.Fault f : run.faults()) {
            if (Math.abs(f.atMs() - ms) < 5_000) {
                near.put(f.atMs(), f.what());
            }
        }
        final List<String> parts = new ArrayList<>();
        near.forEach((at, what) -> parts.add(String.format("%.0f ms: %s", at, what)));
        return String.join("; ", parts);
    }
}
