package io.replog.node;

import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import static io.replog.node.ClusterTestSupport.client;
import static io.replog.node.ClusterTestSupport.http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /metrics on real nodes: the values follow what the cluster does, in the Prometheus text format. */
class MetricsTest {
    /** The samples of a scrape, by their name with labels as written ({@code replog_appends_total{w="2"}}). */
    private static Map<String, Double> scrape(final ReplogNode node) {
        final HttpResponse<String> response = http(node, "GET", "/metrics", null);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"),
            response.headers().toString());
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : response.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                final int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    @Test
    void theMastersMetricsFollowItsAppendsAndItsSecondaries() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2))) {
            final ReplogNode master = cluster.master();
            try (ReplogClient c = client(master)) {
                for (int i = 0; i < 3; i++) {
                    Await.result(c.append("two-" + i, 2));
                }
                Await.result(c.append("three", 3));
                Await.result(c.append("one", 1));
            }
            final String s1 = "127.0.0.1:" + cluster.secondaries().get(0).port();
            Await.until("both secondaries acknowledged all 5", () -> {
                final Map<String, Double> m = scrape(master);
                return m.get("replog_secondary_acked_msg_id{secondary=\"" + s1 + "\"}") == 5.0
                    && m.get("replog_commit_msg_id{w=\"3\"}") == 5.0;
            });
            final Map<String, Double> m = scrape(master);
            assertEquals(1.0, m.get("replog_appends_total{w=\"1\"}"));
            assertEquals(3.0, m.get("replog_appends_total{w=\"2\"}"));
            assertEquals(1.0, m.get("replog_appends_total{w=\"3\"}"));
            assertEquals(5.0, m.get("replog_last_msg_id"));
            assertEquals(0.0, m.get("replog_read_only"));
            assertEquals(0.0, m.get("replog_pending_appends"));
            assertEquals(0.0, m.get("replog_secondary_lag_messages{secondary=\"" + s1 + "\"}"));
            assertEquals(1.0, m.get("replog_secondary_state{secondary=\"" + s1 + "\",state=\"Healthy\"}"));
            assertEquals(0.0, m.get("replog_secondary_state{secondary=\"" + s1 + "\",state=\"Unhealthy\"}"));
            assertTrue(m.get("replog_connections") >= 1);
            assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM metrics");

            final Map<String, Double> secondary = scrape(cluster.secondaries().get(0));
            assertEquals(5.0, secondary.get("replog_last_msg_id"));
            assertTrue(secondary.keySet().stream().noneMatch(k -> k.startsWith("replog_appends_total")),
                "a secondary stores no appends of its own");

            cluster.secondaries().get(1).close(); // one down: its state moves, w=3 stops advancing
            final String s2 = "127.0.0.1:" + cluster.secondaries().get(1).port();
            Await.until("the stopped secondary is Unhealthy", () -> scrape(master)
                .get("replog_secondary_state{secondary=\"" + s2 + "\",state=\"Unhealthy\"}") == 1.0);
        }
    }
}
