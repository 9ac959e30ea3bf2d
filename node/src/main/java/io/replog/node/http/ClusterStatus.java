package io.replog.node.http;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.replog.node.status.NodeStatus;
import io.replog.node.status.NodeStatusSource;
import io.replog.node.status.PeerState;
import io.replog.node.status.PeerStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The document of {@code GET /cluster}, which the live cluster page ({@code GET /}) polls every second: this node,
 * every peer it knows with its state and position, and, on a master, the commit point, append counts and latency per
 * w. Rendered from the node's {@link NodeStatus} alone, the same keys in both modes, plus the latency histogram from
 * its metrics; counters stay cumulative (as Prometheus has them) so the server keeps no per-viewer state: the page
 * turns the differences between two polls into rates.
 */
final class ClusterStatus {
    /** Appends stored by the master, by w (a counter: the text format shows it as {@code replog_appends_total}). */
    static final String APPENDS = "replog_appends";
    /** Append latency by w, a classic histogram; a node without it shows "no data" on its page. */
    static final String LATENCY = "replog_append_latency_seconds";
    /** The state of a node standing for election (neither master nor following one). */
    static final String ELECTING = "Electing";

    private ClusterStatus() {
    }

    /**
     * Called on an event loop: the status and the metrics' callbacks only read volatile fields and counters, as
     * {@code GET /health} and {@code GET /metrics} do.
     *
     * @param nowMs the node's wall clock, so the page divides by the time between the node's two readings rather
     *              than by its own timer's (which a busy browser stretches)
     */
    static Map<String, Object> of(final NodeStatusSource source, final MetricSnapshots metrics, final long nowMs) {
        final NodeStatus s = source.status();
        final Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("time_ms", nowMs);
        doc.put("mode", s.mode().label());
        doc.put("role", s.role());
        doc.put("replica_role", s.replicaRole());
        doc.put("node_id", s.nodeId());
        doc.put("last_msg_id", s.lastId());
        doc.put("durable_msg_id", s.durableId());
        doc.put("commit_msg_id", s.readableId());
        doc.put("log_id", s.logId());
        doc.put("epoch", s.epoch());
        doc.put("master", masterOf(s));
        final Map<String, Object> election = new LinkedHashMap<>();
        election.put("what", s.lastElection() == null ? "none (fixed roles)" : s.lastElection());
        election.put("ms_ago", s.lastElectionMsAgo());
        doc.put("last_election", election);
        // worded as the admission check words it, so the page says what a refused client is told
        doc.put("read_only", s.readOnly());
        if (s.readOnly()) {
            doc.put("read_only_reason", s.readOnlyReason());
        }
        doc.put("quorum", s.quorum());
        doc.put("max_w", s.clusterSize());
        doc.put("pending_appends", s.waitingAppends());
        final List<Map<String, Object>> nodes = new ArrayList<>();
        nodes.add(self(s));
        for (final PeerStatus p : s.peers()) {
            nodes.add(peer(p));
        }
        doc.put("nodes", nodes);
        if (s.isMaster()) {
            final Map<String, Long> commit = new TreeMap<>();
            for (int w = 1; w <= s.committedByW().size(); w++) {
                commit.put(Integer.toString(w), s.committedByW().get(w - 1));
            }
            doc.put("commit", commit);
            final Map<String, Object> latency = latency(find(metrics, LATENCY));
            final Map<String, Long> stored = byW(find(metrics, APPENDS));
            // without a count of what it stored per w, the page's rate is of appends answered with success
            doc.put("appends", stored.isEmpty() ? answered(latency) : stored);
            doc.put("latency", latency);
        }
        return doc;
    }

    /** {"id", "address", "http"} of the master this node knows, or null while it knows none. */
    private static Map<String, Object> masterOf(final NodeStatus s) {
        if (s.master() == null) {
            return null;
        }
        final Map<String, Object> master = new LinkedHashMap<>();
        master.put("id", s.master().id());
        master.put("address", s.master().address());
        master.put("http", s.master().http());
        return master;
    }

    /**
     * This node's row. A master is Writable or Read-only; a candidate is Electing; a secondary is as healthy as its
     * word from its master (the master's row says why not); a failed disk overrides them all.
     */
    private static Map<String, Object> self(final NodeStatus s) {
        final Map<String, Object> self = new LinkedHashMap<>();
        self.put("name", s.name());
        self.put("id", s.nodeId());
        self.put("address", s.address());
        self.put("http", s.http());
        self.put("role", s.replicaRole());
        self.put("self", true);
        final String status;
        final String reason;
        if (s.storageError() != null) {
            status = "Failing";
            reason = "disk failed: " + s.storageError() + "; restart the node once the disk is fixed";
        } else if (s.isMaster()) {
            status = s.readOnly() ? "Read-only" : "Writable";
            reason = s.readOnlyReason();
        } else if ("candidate".equals(s.replicaRole())) {
            status = ELECTING;
            reason = "asking for votes in epoch " + s.epoch();
        } else {
            final PeerStatus itsMaster = s.peers().stream().filter(p -> "master".equals(p.role())).findFirst()
                .orElse(null);
            status = itsMaster == null ? PeerState.Unhealthy.name() : itsMaster.state().name();
            reason = itsMaster == null ? "no master known (an election may be under way)"
                : itsMaster.reason() == null ? null : "its master, " + itsMaster.name() + ": " + itsMaster.reason();
        }
        self.put("status", status);
        if (reason != null) {
            self.put("reason", reason);
        }
        self.put("position", s.lastId());
        if (s.isMaster()) {
            self.put("lag", 0);
        }
        if (s.faults().delayMs() > 0) {
            self.put("delay_ms", s.faults().delayMs());
        }
        return self;
    }

    /** A peer's row: with the position it holds durably when this node tracks it (a master does). */
    private static Map<String, Object> peer(final PeerStatus p) {
        final Map<String, Object> node = new LinkedHashMap<>();
        node.put("name", p.name());
        node.put("id", p.id());
        node.put("address", p.address());
        node.put("http", p.http());
        node.put("role", p.role());
        node.put("status", p.state().name());
        if (p.reason() != null) {
            node.put("reason", p.reason());
        }
        if (p.ackedId() >= 0) {
            node.put("position", p.ackedId());
            node.put("lag", p.lag());
        }
        node.put("connection", p.connection());
        node.put("last_answer_ms_ago", p.lastHeardMsAgo() < 0 ? null : p.lastHeardMsAgo());
        return node;
    }

    /** {"w": count} of the latency histogram: the appends of each w answered with success. */
    private static Map<String, Long> answered(final Map<String, Object> latency) {
        final Map<String, Long> counts = new TreeMap<>();
        if (latency != null) {
            latency.forEach((w, point) -> counts.put(w, (Long) ((Map<?, ?>) point).get("count")));
        }
        return counts;
    }

    /** The metric named {@code name}, or null when this node has none. */
    static MetricSnapshot find(final MetricSnapshots metrics, final String name) {
        for (final MetricSnapshot m : metrics) {
            if (m.getMetadata().getPrometheusName().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** {"1": value, "2": value, …} of a counter or gauge labelled w; empty when absent. */
    static Map<String, Long> byW(final MetricSnapshot metric) {
        final Map<String, Long> values = new TreeMap<>();
        if (metric instanceof CounterSnapshot c) {
            c.getDataPoints().forEach(p -> values.put(w(p.getLabels()), (long) p.getValue()));
        } else if (metric instanceof GaugeSnapshot g) {
            g.getDataPoints().forEach(p -> values.put(w(p.getLabels()), (long) p.getValue()));
        }
        return values;
    }

    /** The data point's w label ("all" for a metric kept without one). */
    private static String w(final Labels labels) {
        final String w = labels.get("w");
        return w != null ? w : "all";
    }

    /**
     * {"w": {"count", "sum" (seconds), "le": [upper bounds], "buckets": [cumulative counts]}} of the latency
     * histogram, or null when the node has none. The +Inf bucket is left out (JSON has no infinity): its count is
     * "count". Cumulative like the text format, so the page subtracts two polls bucket by bucket.
     */
    static Map<String, Object> latency(final MetricSnapshot metric) {
        if (!(metric instanceof HistogramSnapshot h)) {
            return null;
        }
        final Map<String, Object> byW = new TreeMap<>();
        for (final HistogramSnapshot.HistogramDataPointSnapshot p : h.getDataPoints()) {
            final Map<String, Object> point = new LinkedHashMap<>();
            point.put("count", p.getCount());
            point.put("sum", p.hasSum() ? p.getSum() : null);
            final List<Double> bounds = new ArrayList<>();
            final List<Long> cumulative = new ArrayList<>();
            final ClassicHistogramBuckets buckets = p.getClassicBuckets();
            long sum = 0;
            for (int i = 0; i < buckets.size(); i++) {
                sum += buckets.getCount(i); // the model keeps each bucket's own count
                if (Double.isFinite(buckets.getUpperBound(i))) {
                    bounds.add(buckets.getUpperBound(i));
                    cumulative.add(sum);
                }
            }
            point.put("le", bounds);
            point.put("buckets", cumulative);
            byW.put(w(p.getLabels()), point);
        }
        return byW;
    }
}
