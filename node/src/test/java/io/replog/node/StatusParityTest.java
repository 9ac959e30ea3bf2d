package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One node status in both modes: the same assertions over a fixed-role cluster ({@link FixedStatusParityTest}) and
 * a failover cluster ({@link FailoverStatusParityTest}), as Ratis runs one suite over each of its transports. The
 * master's {@code /health}, {@code /cluster} and {@code /metrics} have the same keys and families, and its peers go
 * Healthy → Unhealthy when one stops and back to Healthy when it returns.
 */
abstract class StatusParityTest {
    /** The master's health report while every peer is Healthy: the same keys, in the same order, in both modes. */
    static final List<String> HEALTH_KEYS = List.of("role", "read_only", "mode", "node_id", "name", "address", "http",
        "replica_role", "epoch", "master_id", "master", "master_http", "last_election", "log_id", "last_msg_id",
        "durable_msg_id", "readable_msg_id", "quorum", "max_w", "max_message_bytes", "pending_appends",
        "max_pending_appends", "flush", "delay_ms", "fail_rate", "drop_rate", "injected_failures", "injected_drops",
        "peers");
    /** A Healthy peer in the health report (an unhealthy one has a "reason" after "status"). */
    static final List<String> PEER_KEYS = List.of("address", "status", "acked", "lag", "id", "name", "http", "role",
        "connection", "connected", "last_answer_ms_ago");
    /** The master's {@code /cluster} document. */
    static final Set<String> CLUSTER_KEYS = Set.of("time_ms", "mode", "role", "replica_role", "node_id",
        "last_msg_id", "durable_msg_id", "commit_msg_id", "log_id", "epoch", "master", "last_election", "read_only",
        "quorum", "max_w", "pending_appends", "nodes", "commit", "appends", "latency");
    static final Set<String> SELF_ROW_KEYS = Set.of("name", "id", "address", "http", "role", "self", "status",
        "position", "lag");
    static final Set<String> PEER_ROW_KEYS = Set.of("name", "id", "address", "http", "role", "status", "position",
        "lag", "connection", "last_answer_ms_ago");

    private StatusHarness cluster;

    /** Starts the cluster; returns once it has a master. */
    abstract StatusHarness start();

    @BeforeEach
    void startCluster() {
        cluster = start();
        // a fixed master's quorum monitor sees its secondaries up a moment after their health does
        Await.until("the master sees both peers Healthy and takes appends", () -> {
            final JsonNode health = cluster.masterJson("/health");
            final JsonNode peers = health.path("peers");
            return peers.size() == 2 && peers.findValuesAsText("status").equals(List.of("Healthy", "Healthy"))
                && !health.path("read_only").asBoolean(true);
        });
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    private static List<String> keys(final JsonNode object) {
        final List<String> keys = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** The master's health entry for the peer at {@code address}. */
    private JsonNode peer(final String address) {
        for (final JsonNode peer : cluster.masterJson("/health").path("peers")) {
            if (address.equals(peer.path("address").asText())) {
                return peer;
            }
        }
        throw new AssertionError("no peer " + address + " in " + cluster.masterJson("/health"));
    }

    @Test
    void healthHasTheSameKeysAndAPeerGoesUnhealthyWhenStoppedAndHealthyWhenBack() {
        final JsonNode health = cluster.masterJson("/health");
        assertEquals(HEALTH_KEYS, keys(health), health.toString());
        assertEquals("master", health.path("role").asText());
        assertFalse(health.path("read_only").asBoolean(), health.toString());
        for (final JsonNode peer : health.path("peers")) {
            assertEquals(PEER_KEYS, keys(peer), peer.toString());
            assertTrue(peer.path("acked").isNumber() && peer.path("lag").isNumber(), peer.toString());
        }

        final String address = cluster.secondaryAddress();
        cluster.stopSecondary();
        Await.until(address + " Unhealthy, with its reason", () -> {
            final JsonNode peer = peer(address);
            return peer.path("status").asText().equals("Unhealthy") && !peer.path("reason").asText().isEmpty();
        });
        cluster.restartSecondary();
        Await.until(address + " Healthy again", () -> peer(address).path("status").asText().equals("Healthy"));
        assertTrue(peer(address).path("reason").isMissingNode(), peer(address).toString());
    }

    @Test
    void metricsHaveThePerSecondaryLagAndStateFamilies() {
        Await.until("the master's metrics list both secondaries", () -> {
            final String metrics = cluster.masterMetrics();
            for (final JsonNode peer : cluster.masterJson("/health").path("peers")) {
                final String label = "secondary=\"" + peer.path("address").asText() + "\"";
                if (!metrics.contains("replog_secondary_lag_messages{" + label + "}")
                    || !metrics.contains("replog_secondary_acked_msg_id{" + label + "}")
                    || !metrics.contains("replog_secondary_state{" + label + ",state=\"Healthy\"} 1.0")
                    || !metrics.contains("replog_secondary_state{" + label + ",state=\"Unhealthy\"} 0.0")) {
                    return false;
                }
            }
            return metrics.contains("replog_read_only 0.0") && metrics.contains("replog_commit_msg_id{w=\"3\"}");
        });
    }

    @Test
    void theClusterDocumentHasTheSameKeys() {
        // a master shows a peer's position once it has heard from it (the engine's first answers follow its start)
        Await.until("the master has heard from both peers", () -> {
            final JsonNode rows = cluster.masterJson("/cluster").path("nodes");
            return rows.size() == 3 && rows.get(1).has("position") && rows.get(2).has("position");
        });
        final JsonNode doc = cluster.masterJson("/cluster");
        assertEquals(CLUSTER_KEYS, new TreeSet<>(keys(doc)).stream().collect(java.util.stream.Collectors.toSet()),
            doc.toString());
        final JsonNode nodes = doc.path("nodes");
        assertEquals(3, nodes.size(), doc.toString());
        assertEquals(SELF_ROW_KEYS, Set.copyOf(keys(nodes.get(0))), nodes.get(0).toString());
        assertEquals("Writable", nodes.get(0).path("status").asText());
        for (int i = 1; i < 3; i++) {
            assertEquals(PEER_ROW_KEYS, Set.copyOf(keys(nodes.get(i))), nodes.get(i).toString());
            assertEquals("Healthy", nodes.get(i).path("status").asText());
        }
        assertEquals(Set.of("1", "2", "3"), Set.copyOf(keys(doc.path("commit"))), doc.toString());
    }
}
