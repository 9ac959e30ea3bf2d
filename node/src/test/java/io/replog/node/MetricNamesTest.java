package io.replog.node;

import io.replog.node.cluster.FailoverNodes;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

import static io.replog.node.ClusterTestSupport.client;
import static io.replog.node.ClusterTestSupport.http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The names of the metric families each kind of node exposes at {@code GET /metrics}, pinned: dashboards and
 * alerts are written against them, so a renamed or lost metric fails here. Each node is scraped after the same
 * work (appends with w=2 on the master and one refused), so every family that appears with use has appeared. The
 * JVM's families come from the Prometheus client's instrumentation: they are checked to be the same on every node,
 * and a few of them by name.
 */
class MetricNamesTest {
    /** Every node, whatever its role. */
    private static final Set<String> EVERY_NODE = Set.of("replog_connections", "replog_fsync_batch_messages",
        "replog_fsync_latency_seconds", "replog_last_msg_id", "replog_log_bytes", "replog_log_memory_bytes",
        "replog_rejected_frames_total");
    /** What the master took: by w, and the errors by code. */
    private static final Set<String> APPENDS = Set.of("replog_append_errors_total", "replog_append_latency_seconds");

    private static final Set<String> FIXED_MASTER = union(EVERY_NODE, APPENDS, Set.of("replog_appends_total",
        "replog_commit_msg_id", "replog_pending_appends", "replog_read_only", "replog_replicate_batches_total",
        "replog_secondary_acked_msg_id", "replog_secondary_lag_messages", "replog_secondary_state"));
    private static final Set<String> FIXED_SECONDARY = EVERY_NODE;

    private static final Set<String> FAILOVER_NODE = union(EVERY_NODE, Set.of("replog_failover_commit_msg_id",
        "replog_failover_epoch", "replog_failover_is_master", "replog_failover_peer_connected"));
    /** A failover master has what a fixed master has, and its peers by id. */
    private static final Set<String> FAILOVER_MASTER = union(FAILOVER_NODE, APPENDS, Set.of("replog_commit_msg_id",
        "replog_pending_appends", "replog_read_only", "replog_secondary_acked_msg_id",
        "replog_secondary_lag_messages", "replog_secondary_state", "replog_failover_peer_durable_msg_id",
        "replog_failover_peer_lag_messages", "replog_appends_total", "replog_replicate_batches_total"));
    private static final Set<String> FAILOVER_SECONDARY = FAILOVER_NODE;

    /** A few of the JVM's families, by name: memory, GC, threads, and the process. */
    private static final Set<String> SOME_JVM = Set.of("jvm_memory_used_bytes", "jvm_gc_collection_seconds",
        "jvm_threads_current", "process_cpu_seconds_total");

    @SafeVarargs
    private static Set<String> union(final Set<String>... sets) {
        final Set<String> all = new TreeSet<>();
        for (final Set<String> s : sets) {
            all.addAll(s);
        }
        return all;
    }

    /** The family names of a scrape, from its {@code # TYPE name type} lines. */
    private static Set<String> families(final ReplogNode node) {
        final HttpResponse<String> response = http(node, "GET", "/metrics", null);
        assertEquals(200, response.statusCode(), response.body());
        return response.body().lines().filter(line -> line.startsWith("# TYPE "))
            .map(line -> line.split(" ")[2]).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> replog(final Set<String> families) {
        return families.stream().filter(f -> f.startsWith("replog_")).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> jvm(final Set<String> families) {
        return families.stream().filter(f -> !f.startsWith("replog_")).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Appends with w=2, answered, and one refused (w above the cluster's size). */
    private static void work(final ReplogClient c) {
        for (int i = 0; i < 3; i++) {
            Await.result(c.append("names-" + i, 2));
        }
        assertThrows(CompletionException.class, () -> Await.result(c.append("w too high", 4)));
    }

    @Test
    void eachKindOfNodeExposesExactlyItsFamilies() {
        final Set<String> jvmFamilies;
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2))) {
            try (ReplogClient c = client(cluster.master())) {
                work(c);
            }
            final Set<String> master = families(cluster.master());
            assertEquals(FIXED_MASTER, replog(master), "a fixed master");
            final Set<String> secondary = families(cluster.secondaries().get(0));
            assertEquals(FIXED_SECONDARY, replog(secondary), "a fixed secondary");
            jvmFamilies = jvm(master);
            assertEquals(jvmFamilies, jvm(secondary), "the JVM's families, on every node");
        }
        assertTrue(jvmFamilies.containsAll(SOME_JVM), "the JVM's families: " + jvmFamilies);
        assertTrue(jvmFamilies.stream().allMatch(f -> f.startsWith("jvm_") || f.startsWith("process_")),
            "nothing but replog_, jvm_ and process_: " + jvmFamilies);

        try (FailoverNodes nodes = FailoverNodes.start()) {
            final int master = nodes.awaitMaster(0);
            try (ReplogClient c = nodes.client(master)) {
                work(c);
            }
            // the master's view of its peers is published at its replica's next tick
            Await.until("the failover master's per-peer positions", () -> families(nodes.node(master))
                .contains("replog_failover_peer_durable_msg_id"));
            final Set<String> failoverMaster = families(nodes.node(master));
            assertEquals(FAILOVER_MASTER, replog(failoverMaster), "a failover master");
            final Set<String> failoverSecondary = families(nodes.node(nodes.secondaryOf(master)));
            assertEquals(FAILOVER_SECONDARY, replog(failoverSecondary), "a failover secondary");
            assertEquals(jvmFamilies, jvm(failoverMaster));
            assertEquals(jvmFamilies, jvm(failoverSecondary));
        }
    }
}
