package io.replog.node.http;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.replog.node.config.NodeConfig;
import io.replog.node.role.NodeRole;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The document of {@code GET /cluster}, which the live cluster page ({@code GET /}) polls every second: every node
 * this node knows with its role, state and position, plus the master's commit point, append counts and latency per
 * w. Built from what {@code /health} reports and from the node's metrics; counters stay cumulative (as Prometheus
 * has them) so the server keeps no per-viewer state: the page turns the differences between two polls into rates.
 */
final class ClusterStatus {
    /** Appends stored by the master, by w (a counter: the text format shows it as {@code replog_appends_total}). */
    static final String APPENDS = "replog_appends";
    /** Highest msg_id held by at least w nodes, by w. */
    static final String COMMIT = "replog_commit_msg_id";
    /** Append latency by w, a classic histogram; a node without it shows "no data" on its page. */
    static final String LATENCY = "replog_append_latency_seconds";

    /**
     * A secondary does not know its master's heartbeat settings; it judges silence by the defaults, which is what
     * the master does with them unless an operator changed them.
     */
    private static final long SUSPECT_AFTER_MS = NodeConfig.DEFAULT_SUSPECT_AFTER_MS;
    private static final long UNHEALTHY_AFTER_MS = NodeConfig.DEFAULT_UNHEALTHY_AFTER_MS;

    private ClusterStatus() {
    }

    /**
     * Called on an event loop: everything it reads ({@code health()}, the metrics' callbacks) only reads volatile
     * fields and counters, as {@code GET /health} and {@code GET /metrics} do.
     *
     * @param nowMs the node's wall clock, so the page divides by the time between the node's two readings rather
     *              than by its own timer's (which a busy browser stretches)
     */
    static Map<String, Object> of(final NodeRole role, final MetricSnapshots metrics, final long nowMs) {
        final Map<String, Object> health = role.health();
        if (FailoverClusterStatus.MODE.equals(health.get("mode"))) {
            return FailoverClusterStatus.of(role, health, metrics, nowMs);
        }
        final Map<String, Object> status = new LinkedHashMap<>();
        status.put("time_ms", nowMs);
        status.put("role", health.get("role"));
        status.put("last_msg_id", health.get("last_msg_id"));
        status.put("log_id", health.get("log_id"));
        status.put("epoch", health.get("epoch"));
        if ("master".equals(health.get("role"))) {
            master(role, health, metrics, status);
        } else {
            secondary(health, status);
        }
        return status;
    }

    private static void master(final NodeRole role, final Map<String, Object> health, final MetricSnapshots metrics,
                               final Map<String, Object> status) {
        // worded as the master's admission check words it, so the page says what a refused client is told
        final String readOnlyReason = role.readOnlyReason();
        status.put("read_only", readOnlyReason != null);
        if (readOnlyReason != null) {
            status.put("read_only_reason", readOnlyReason);
        }
        status.put("quorum", health.get("quorum"));
        status.put("max_w", health.get("max_w"));
        status.put("pending_appends", health.get("pending_appends"));

        final List<Map<String, Object>> nodes = new ArrayList<>();
        final Map<String, Object> self = new LinkedHashMap<>();
        self.put("name", "master");
        self.put("role", "master");
        self.put("self", true);
        self.put("status", readOnlyReason == null ? "Writable" : "Read-only");
        if (readOnlyReason != null) {
            self.put("reason", readOnlyReason);
        }
        self.put("position", health.get("last_msg_id"));
        self.put("lag", 0);
        nodes.add(self);
        for (final Object o : (List<?>) health.get("secondaries")) {
            final Map<?, ?> s = (Map<?, ?>) o;
            final Map<String, Object> node = new LinkedHashMap<>();
            node.put("name", s.get("address"));
            node.put("role", "secondary");
            node.put("status", s.get("status"));
            if (s.get("reason") != null) {
                node.put("reason", s.get("reason"));
            }
            node.put("position", s.get("acked"));
            node.put("lag", s.get("lag"));
            node.put("connection", s.get("connection"));
            node.put("last_answer_ms_ago", s.get("last_answer_ms_ago"));
            nodes.add(node);
        }
        status.put("nodes", nodes);
        status.put("commit", byW(find(metrics, COMMIT)));
        status.put("appends", byW(find(metrics, APPENDS)));
        status.put("latency", latency(find(metrics, LATENCY)));
    }

    /**
     * A secondary knows itself and when its master last reached it (the master dials in, so its address is shown
     * only when the health report has one).
     */
    private static void secondary(final Map<String, Object> health, final Map<String, Object> status) {
        final long seenMsAgo = ((Number) health.get("master_last_seen_ms_ago")).longValue();
        final String linkStatus;
        final String linkReason;
        if (seenMsAgo < 0) {
            linkStatus = "Unhealthy";
            linkReason = "never heard from a master";
        } else if (seenMsAgo >= UNHEALTHY_AFTER_MS) {
            linkStatus = "Unhealthy";
            linkReason = "no contact from the master for " + seenMsAgo + " ms";
        } else if (seenMsAgo >= SUSPECT_AFTER_MS) {
            linkStatus = "Suspected";
            linkReason = "no contact from the master for " + seenMsAgo + " ms";
        } else {
            linkStatus = "Healthy";
            linkReason = null;
        }
        final Object storageError = health.get("storage_error");
        final long delayMs = ((Number) health.get("delay_ms")).longValue();
        // a secondary never takes appends: read-only is the master's mode, not shown here
        status.put("read_only", false);

        final List<Map<String, Object>> nodes = new ArrayList<>();
        final Map<String, Object> self = new LinkedHashMap<>();
        self.put("name", "secondary");
        self.put("role", "secondary");
        self.put("self", true);
        self.put("status", storageError != null ? "Failing" : linkStatus);
        if (storageError != null) {
            self.put("reason", "disk failed: " + storageError);
        } else if (linkReason != null) {
            self.put("reason", linkReason);
        }
        self.put("position", health.get("last_msg_id"));
        if (delayMs > 0) {
            self.put("delay_ms", delayMs);
        }
        nodes.add(self);

        final Map<String, Object> master = new LinkedHashMap<>();
        master.put("name", health.getOrDefault("master_address", "its master"));
        master.put("role", "master");
        master.put("status", linkStatus);
        if (linkReason != null) {
            master.put("reason", linkReason);
        }
        master.put("last_answer_ms_ago", seenMsAgo < 0 ? null : seenMsAgo);
        nodes.add(master);
        status.put("nodes", nodes);
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
