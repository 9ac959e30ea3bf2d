package io.replog.node;

import io.replog.node.cluster.FailoverNodes;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import static io.replog.node.ClusterTestSupport.http;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * GET /metrics on the nodes of a real failover cluster (three in this process): the election (epoch, who is master),
 * the commit point, and the master's view of each peer (link, durable position, lag) follow what the cluster does.
 */
class FailoverMetricsTest {
    /** The samples of a scrape, by their name with labels as written ({@code replog_failover_epoch}). */
    private static Map<String, Double> scrape(final ReplogNode node) {
        final HttpResponse<String> response = http(node, "GET", "/metrics", null);
        assertEquals(200, response.statusCode());
        final Map<String, Double> samples = new HashMap<>();
        response.body().lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> {
            final int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        });
        return samples;
    }

    private static String peer(final String metric, final int id) {
        return metric + "{peer=\"" + id + "\"}";
    }

    @Test
    void theElectionTheCommitPointAndEachPeerAreInTheMetrics() {
        try (FailoverNodes nodes = FailoverNodes.start()) {
            final int master = nodes.awaitMaster(0);
            final int lost = nodes.secondaryOf(master);
            final int kept = 6 - master - lost;
            try (ReplogClient c = nodes.client(master)) {
                for (int i = 0; i < 5; i++) {
                    Await.result(c.append("metrics-" + i, 3));
                }
            }
            final double last = nodes.node(master).log().lastId();
            final double epoch = ((Number) nodes.node(master).role().health().get("epoch")).doubleValue();
            Await.until("the master's metrics: both peers durable at " + last, () -> {
                final Map<String, Double> m = scrape(nodes.node(master));
                return m.getOrDefault(peer("replog_failover_peer_durable_msg_id", lost), -1.0) == last
                    && m.getOrDefault(peer("replog_failover_peer_durable_msg_id", kept), -1.0) == last;
            });
            final Map<String, Double> m = scrape(nodes.node(master));
            assertEquals(1.0, m.get("replog_failover_is_master"));
            assertEquals(epoch, m.get("replog_failover_epoch"));
            assertEquals(last, m.get("replog_failover_commit_msg_id"));
            assertEquals(last, m.get("replog_commit_msg_id{w=\"3\"}"));
            assertEquals(0.0, m.get("replog_pending_appends"));
            for (final int id : new int[] {lost, kept}) {
                assertEquals(1.0, m.get(peer("replog_failover_peer_connected", id)), m.toString());
                assertEquals(0.0, m.get(peer("replog_failover_peer_lag_messages", id)), m.toString());
            }
            Await.until("the secondaries' metrics: the same epoch and commit point, not master", () -> {
                for (final int id : new int[] {lost, kept}) {
                    final Map<String, Double> s = scrape(nodes.node(id));
                    if (s.getOrDefault("replog_failover_is_master", -1.0) != 0.0
                        || s.getOrDefault("replog_failover_epoch", -1.0) != epoch
                        || s.getOrDefault("replog_failover_commit_msg_id", -1.0) != last
                        || s.getOrDefault(peer("replog_failover_peer_connected", master), -1.0) != 1.0) {
                        return false;
                    }
                }
                return true;
            });

            nodes.stop(lost);
            try (ReplogClient c = nodes.client(master)) {
                for (int i = 0; i < 4; i++) {
                    Await.result(c.append("without " + lost + "-" + i, 2));
                }
            }
            final double now = last + 4;
            Await.until("node " + lost + " down and 4 behind, node " + kept + " at " + now, () -> {
                final Map<String, Double> after = scrape(nodes.node(master));
                return after.getOrDefault(peer("replog_failover_peer_connected", lost), -1.0) == 0.0
                    && after.getOrDefault(peer("replog_failover_peer_lag_messages", lost), -1.0) == 4.0
                    && after.getOrDefault(peer("replog_failover_peer_durable_msg_id", kept), -1.0) == now
                    && after.getOrDefault("replog_commit_msg_id{w=\"2\"}", -1.0) == now
                    && after.getOrDefault("replog_commit_msg_id{w=\"3\"}", -1.0) == last
                    && after.getOrDefault("replog_failover_commit_msg_id", -1.0) == now;
            });
        }
    }
}
