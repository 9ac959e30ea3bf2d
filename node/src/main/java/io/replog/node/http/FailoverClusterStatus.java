package io.replog.node.http;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.replog.node.role.NodeRole;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code GET /cluster} document of a node of a failover cluster: the node as its election left it (master,
 * candidate or secondary, epoch, the master it knows), its log's positions, one row per node (itself first, then
 * its peers by id) and, on the master, the commit point per w and the append latency as a fixed master has them.
 * Built from the node's {@code /health} report (which holds what the replica's thread published at its last tick)
 * and its metrics, so the three never disagree.
 */
final class FailoverClusterStatus {
    /** The health report's {@code mode} of a failover node. */
    static final String MODE = "failover";
    /** The state of a node standing for election (neither master nor following one). */
    static final String ELECTING = "Electing";

    private FailoverClusterStatus() {
    }

    static Map<String, Object> of(final NodeRole role, final Map<String, Object> health, final MetricSnapshots metrics,
                                  final long nowMs) {
        final boolean master = "master".equals(health.get("role"));
        final Map<String, Object> status = new LinkedHashMap<>();
        status.put("time_ms", nowMs);
        status.put("mode", MODE);
        status.put("role", health.get("role"));
        status.put("replica_role", health.get("replica_role"));
        status.put("node_id", health.get("node_id"));
        status.put("last_msg_id", health.get("last_msg_id"));
        status.put("durable_msg_id", health.get("durable_msg_id"));
        status.put("commit_msg_id", health.get("commit_id"));
        status.put("log_id", health.get("log_id"));
        status.put("epoch", health.get("epoch"));
        status.put("master", masterOf(health));
        status.put("last_election", health.get("last_election"));
        final String readOnlyReason = role.readOnlyReason();
        status.put("read_only", readOnlyReason != null);
        if (readOnlyReason != null) {
            status.put("read_only_reason", readOnlyReason);
        }
        if (master) {
            status.put("pending_appends", health.get("waiting_appends"));
        }
        final List<Map<String, Object>> nodes = new ArrayList<>();
        nodes.add(self(health, master, readOnlyReason));
        for (final Object o : (List<?>) health.get("peers")) {
            nodes.add(peer((Map<?, ?>) o));
        }
        status.put("nodes", nodes);
        if (master) {
            status.put("commit", ClusterStatus.byW(ClusterStatus.find(metrics, ClusterStatus.COMMIT)));
            final Map<String, Object> latency = ClusterStatus.latency(ClusterStatus.find(metrics,
                ClusterStatus.LATENCY));
            // the engine keeps no count of what it stored per w: the page's rate is of appends answered with success
            status.put("appends", answered(latency));
            status.put("latency", latency);
        }
        return status;
    }

    /** {"id", "address", "http"} of the master this node knows, or null while it knows none. */
    private static Map<String, Object> masterOf(final Map<String, Object> health) {
        if (health.get("master") == null) {
            return null;
        }
        final Map<String, Object> master = new LinkedHashMap<>();
        master.put("id", health.get("master_id"));
        master.put("address", health.get("master"));
        master.put("http", health.get("master_http"));
        return master;
    }

    /**
     * This node's row. A secondary is as healthy as its word from the master (the master's row says why not), as a
     * fixed secondary is; a candidate is Electing; a failed disk overrides both.
     */
    private static Map<String, Object> self(final Map<String, Object> health, final boolean master,
                                            final String readOnlyReason) {
        final Map<String, Object> self = new LinkedHashMap<>();
        self.put("name", "node " + health.get("node_id"));
        self.put("id", health.get("node_id"));
        self.put("address", health.get("address"));
        self.put("http", health.get("http"));
        self.put("role", health.get("replica_role"));
        self.put("self", true);
        final Object storageError = health.get("storage_error");
        final String status;
        final String reason;
        if (storageError != null) {
            status = "Failing";
            reason = "disk failed: " + storageError + "; out of the cluster until restarted";
        } else if (master) {
            status = readOnlyReason == null ? "Writable" : "Read-only";
            reason = readOnlyReason;
        } else if ("candidate".equals(health.get("replica_role"))) {
            status = ELECTING;
            reason = "asking for votes in epoch " + health.get("epoch");
        } else {
            final Map<?, ?> itsMaster = masterRow(health);
            status = itsMaster == null ? "Unhealthy" : (String) itsMaster.get("status");
            reason = itsMaster == null ? "no master known (an election may be under way)"
                : itsMaster.get("reason") == null ? null
                : "its master, node " + itsMaster.get("id") + ": " + itsMaster.get("reason");
        }
        self.put("status", status);
        if (reason != null) {
            self.put("reason", reason);
        }
        self.put("position", health.get("last_msg_id"));
        if (master) {
            self.put("lag", 0);
        }
        return self;
    }

    /** The health report's entry of the peer this node takes for master, or null. */
    private static Map<?, ?> masterRow(final Map<String, Object> health) {
        for (final Object o : (List<?>) health.get("peers")) {
            final Map<?, ?> peer = (Map<?, ?>) o;
            if ("master".equals(peer.get("role"))) {
                return peer;
            }
        }
        return null;
    }

    /** A peer's row: on the master with the position it holds durably (as the master counts it toward w). */
    private static Map<String, Object> peer(final Map<?, ?> peer) {
        final Map<String, Object> node = new LinkedHashMap<>();
        node.put("name", "node " + peer.get("id"));
        node.put("id", peer.get("id"));
        node.put("address", peer.get("address"));
        node.put("http", peer.get("http"));
        node.put("role", peer.get("role"));
        node.put("status", peer.get("status"));
        if (peer.get("reason") != null) {
            node.put("reason", peer.get("reason"));
        }
        if (peer.get("durable_msg_id") != null) {
            node.put("position", peer.get("durable_msg_id"));
            node.put("lag", peer.get("lag"));
        }
        node.put("connection", Boolean.TRUE.equals(peer.get("connected")) ? "connected" : "not connected");
        node.put("last_answer_ms_ago", peer.get("last_answer_ms_ago"));
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
}
