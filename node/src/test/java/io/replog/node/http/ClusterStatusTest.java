package io.replog.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.replog.node.ClusterExtension;
import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET / (the live cluster page) and GET /cluster (what it polls) over real HTTP against real nodes. */
class ClusterStatusTest {
    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(LocalCluster.Settings.ephemeral(2));

    @Test
    void thePageIsOneSelfContainedHtmlFileTheBrowserAlwaysRevalidates() {
        for (final ReplogNode node : cluster.nodes()) {
            final HttpResponse<String> page = cluster.http(node, "GET", "/", null);
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElse(""));
            assertEquals("no-cache", page.headers().firstValue("cache-control").orElse(""));
            assertTrue(page.body().contains("fetch('cluster'"), "the page polls GET /cluster");
            // nothing fetched from elsewhere: no external scripts, styles or images
            assertFalse(page.body().matches("(?s).*(<script[^>]*src=|<link[^>]*href=|<img|@import|https?://(?!www\\.w3"
                + "\\.org/2000/svg)).*"), "the page loads nothing but GET /cluster");
        }
        assertEquals(405, cluster.http(cluster.master(), "POST", "/", "{}").statusCode());
        assertEquals(405, cluster.http(cluster.master(), "POST", "/cluster", "{}").statusCode());
        assertTrue(cluster.http(cluster.master(), "GET", "/nope", null).body().contains("GET /cluster"),
            "the 404 lists the new routes");
    }

    @Test
    void theMastersDocumentShowsEveryNodeAndItsCountersFollowTheAppends() throws Exception {
        final ReplogNode master = cluster.master();
        final HttpResponse<String> raw = cluster.http(master, "GET", "/cluster", null);
        assertEquals("application/json", raw.headers().firstValue("content-type").orElse(""));
        assertEquals("no-cache", raw.headers().firstValue("cache-control").orElse(""));
        final JsonNode before = cluster.json(master, "/cluster");
        final long appendsW3 = before.path("appends").path("3").asLong();
        try (ReplogClient c = cluster.client(master)) {
            for (int i = 0; i < 5; i++) {
                Await.result(c.append("page-" + i, 3));
            }
        }
        final long last = master.role().readableId();
        Await.until("both secondaries acknowledged " + last, () -> {
            final JsonNode now = cluster.json(master, "/cluster");
            return now.path("nodes").get(1).path("position").asLong() == last
                && now.path("nodes").get(2).path("position").asLong() == last;
        });
        final JsonNode now = cluster.json(master, "/cluster");
        assertEquals("master", now.path("role").asText());
        assertFalse(now.path("read_only").asBoolean());
        assertTrue(now.path("read_only_reason").isMissingNode(), now.toString());
        assertEquals(last, now.path("last_msg_id").asLong());
        assertTrue(now.path("time_ms").asLong() >= before.path("time_ms").asLong());
        assertEquals(3, now.path("max_w").asInt());
        final JsonNode nodes = now.path("nodes");
        assertEquals(3, nodes.size(), now.toString());
        assertEquals("master", nodes.get(0).path("role").asText());
        assertTrue(nodes.get(0).path("self").asBoolean());
        assertEquals("Writable", nodes.get(0).path("status").asText());
        assertEquals(last, nodes.get(0).path("position").asLong());
        for (int i = 1; i <= 2; i++) {
            final JsonNode s = nodes.get(i);
            assertEquals("127.0.0.1:" + cluster.secondary(i - 1).port(), s.path("name").asText());
            assertEquals("secondary", s.path("role").asText());
            assertEquals("Healthy", s.path("status").asText(), s.toString());
            assertTrue(s.path("reason").isMissingNode(), s.toString());
            assertEquals(0, s.path("lag").asLong());
            assertEquals("STREAMING", s.path("connection").asText());
            assertTrue(s.path("last_answer_ms_ago").isNumber());
        }
        assertEquals(appendsW3 + 5, now.path("appends").path("3").asLong(), now.toString());
        for (final String w : new String[] {"1", "2", "3"}) {
            assertEquals(last, now.path("commit").path(w).asLong(), "commit point of w=" + w + ": " + now);
        }
        // the append latency histogram is drawn when the node has it, "no data" otherwise; either way well formed
        final JsonNode latency = now.path("latency");
        assertTrue(latency.isNull() || latency.isObject(), latency.toString());
    }

    @Test
    void aSecondarysDocumentShowsItselfAndItsMaster() {
        final ReplogNode secondary = cluster.secondary(0);
        final JsonNode doc = cluster.json(secondary, "/cluster");
        assertEquals("secondary", doc.path("role").asText());
        assertTrue(doc.path("read_only").asBoolean(), "a secondary refuses appends");
        assertTrue(doc.path("read_only_reason").asText().startsWith("not the master"), doc.toString());
        assertTrue(doc.path("appends").isMissingNode(), "a secondary stores no appends of its own");
        final JsonNode nodes = doc.path("nodes");
        assertEquals(2, nodes.size(), doc.toString());
        assertEquals("secondary", nodes.get(0).path("role").asText());
        assertTrue(nodes.get(0).path("self").asBoolean());
        assertEquals("Healthy", nodes.get(0).path("status").asText(), doc.toString());
        assertEquals(doc.path("last_msg_id").asLong(), nodes.get(0).path("position").asLong());
        assertEquals("master", nodes.get(1).path("role").asText());
        assertEquals("Healthy", nodes.get(1).path("status").asText(), "heard from within the heartbeat: " + doc);
        assertTrue(nodes.get(1).path("last_answer_ms_ago").asLong() >= 0, doc.toString());
    }

    @Test
    void aDelayedSecondaryIsFlaggedAndASilentMasterIsSuspectedThenUnhealthy() {
        try (LocalCluster c = LocalCluster.start(LocalCluster.Settings.ephemeral(1, 3000L))) {
            final ReplogNode secondary = c.secondaries().get(0);
            assertEquals(3000, cluster.json(secondary, "/cluster").path("nodes").get(0).path("delay_ms").asLong());
            c.master().close();
            Await.until("the secondary's page says its master went silent", () -> {
                final JsonNode master = cluster.json(secondary, "/cluster").path("nodes").get(1);
                return master.path("status").asText().equals("Unhealthy")
                    && master.path("reason").asText().startsWith("no contact from the master for ");
            });
        }
    }

    @Test
    void withoutAQuorumTheMasterIsReadOnlyAndSaysWhy() {
        try (LocalCluster c = LocalCluster.start(LocalCluster.Settings.ephemeral(2).withMaster(config -> config
            .heartbeatMs(100).suspectAfterMs(300).unhealthyAfterMs(600)))) {
            c.secondaries().forEach(ReplogNode::close);
            Await.until("the master's page is read-only with the reason", () -> {
                final JsonNode doc = cluster.json(c.master(), "/cluster");
                return doc.path("read_only").asBoolean()
                    && doc.path("read_only_reason").asText().startsWith("no quorum (1 of 3 nodes up, 2 needed)")
                    && doc.path("nodes").get(0).path("status").asText().equals("Read-only")
                    && doc.path("nodes").get(1).path("status").asText().equals("Unhealthy")
                    && !doc.path("nodes").get(1).path("reason").asText().isEmpty();
            });
            // reading why counts nothing: no append was sent, so no append error is in the metrics
            assertFalse(cluster.http(c.master(), "GET", "/metrics", null).body().contains("replog_append_errors"),
                "polling /cluster counted refused appends");
        }
    }

    /**
     * The latency histogram comes from the sequencer's metrics; whatever registers it, the document carries each w's
     * count, sum and cumulative buckets (the page subtracts two polls bucket by bucket).
     */
    @Test
    void aLatencyHistogramIsCarriedCumulativelyPerW() {
        final PrometheusRegistry registry = new PrometheusRegistry();
        final Histogram latency = Histogram.builder().name(ClusterStatus.LATENCY).labelNames("w")
            .classicOnly().classicUpperBounds(0.001, 0.01, 0.1).register(registry);
        final Counter appends = Counter.builder().name("replog_appends_total").labelNames("w").register(registry);
        latency.labelValues("2").observe(0.0005);
        latency.labelValues("2").observe(0.005);
        latency.labelValues("2").observe(0.005);
        latency.labelValues("2").observe(5);
        appends.labelValues("2").inc(4);
        final Map<String, Object> doc = ClusterStatus.of(cluster.master().role(), registry.scrape(), 42);
        assertEquals(Map.of("2", 4L), doc.get("appends"));
        final JsonNode w2 = HttpResponses.JSON.valueToTree(doc.get("latency")).path("2");
        assertEquals(4, w2.path("count").asLong(), w2.toString());
        assertEquals(5.0105, w2.path("sum").asDouble(), 1e-9);
        assertEquals("[0.001,0.01,0.1]", w2.path("le").toString());
        assertEquals("[1,3,3]", w2.path("buckets").toString(), "cumulative, +Inf left to count");

        final Map<String, Object> without = ClusterStatus.of(cluster.master().role(),
            new PrometheusRegistry().scrape(), 42);
        assertNull(without.get("latency"), "no histogram: the page shows no data");
    }
}
