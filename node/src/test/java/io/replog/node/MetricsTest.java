package io.replog.node;

import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import io.replog.protocol.ErrorCode;
import io.replog.protocol.FrameType;
import io.replog.protocol.Pong;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.HashMap;
import java.util.Map;

import static io.replog.node.ClusterTestSupport.client;
import static io.replog.node.ClusterTestSupport.http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
            // latency: every successful append in its w's histogram, each bucket count cumulative up to +Inf
            assertEquals(1.0, m.get("replog_append_latency_seconds_count{w=\"1\"}"));
            assertEquals(3.0, m.get("replog_append_latency_seconds_count{w=\"2\"}"));
            assertEquals(3.0, m.get("replog_append_latency_seconds_bucket{w=\"2\",le=\"+Inf\"}"));
            assertEquals(1.0, m.get("replog_append_latency_seconds_count{w=\"3\"}"));
            assertTrue(m.get("replog_append_latency_seconds_sum{w=\"3\"}") > 0);
            assertTrue(m.get("replog_append_latency_seconds_bucket{w=\"3\",le=\"10.0\"}") >= 1.0,
                "the w=3 append took less than 10 s: " + m);
            // 5 messages reached each secondary in at least one APPEND_ENTRIES batch, at most one each
            final double batches = m.get("replog_replicate_batches_total{secondary=\"" + s1 + "\"}");
            assertTrue(batches >= 1 && batches <= 5, "batches " + batches);
            assertTrue(m.get("replog_log_bytes") >= "two-0two-1two-2threeone".length(), "log bytes " + m);
            assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM metrics");

            final Map<String, Double> secondary = scrape(cluster.secondaries().get(0));
            assertEquals(5.0, secondary.get("replog_last_msg_id"));
            assertTrue(secondary.keySet().stream().noneMatch(k -> k.startsWith("replog_appends_total")),
                "a secondary stores no appends of its own");

            cluster.secondaries().get(1).close(); // one down: its state moves, w=3 stops advancing
            final String s2 = "127.0.0.1:" + cluster.secondaries().get(1).port();
            Await.until("the stopped secondary is Unhealthy", () -> scrape(master)
                .get("replog_secondary_state{secondary=\"" + s2 + "\",state=\"Unhealthy\"}") == 1.0);

            // errors, by the code each append was answered with: one refused at once, one that timed out
            try (ReplogClient c = client(master)) {
                assertThrows(CompletionException.class, () -> Await.result(c.append("w too high", 4)));
                final byte[] never = "never three".getBytes(StandardCharsets.UTF_8);
                assertThrows(CompletionException.class, () -> Await.result(c.append(never, 3, 50)));
            }
            final Map<String, Double> errors = scrape(master);
            assertEquals(1.0, errors.get("replog_append_errors_total{reason=\"invalid_request\"}"));
            assertEquals(1.0, errors.get("replog_append_errors_total{reason=\"timeout\"}"));
            assertEquals(2.0, errors.get("replog_appends_total{w=\"3\"}"), "the timed-out append was stored");
            assertEquals(1.0, errors.get("replog_append_latency_seconds_count{w=\"3\"}"),
                "a failed append is not in the latency histogram");
        }
    }

    @Test
    void refusedFramesAreCountedByReason() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(0))) {
            final ReplogNode node = cluster.master();
            try (RawFrameSocket raw = new RawFrameSocket(node.port())) {
                raw.send(new Pong(7)); // a frame only nodes send: refused, the connection kept
                assertEquals(ErrorCode.UNEXPECTED_FRAME, raw.read().errorCode());
                raw.roundTrip(8);
                // a frame of protocol version 9: the stream cannot be trusted, refused and closed
                raw.sendRaw(new byte[] {0, 0, 0, 12, 9, FrameType.PING, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
                assertEquals(ErrorCode.UNSUPPORTED_VERSION, raw.read().errorCode());
            }
            final Map<String, Double> m = scrape(node);
            assertEquals(1.0, m.get("replog_rejected_frames_total{reason=\"unexpected_frame\"}"));
            assertEquals(1.0, m.get("replog_rejected_frames_total{reason=\"unsupported_version\"}"));
            assertEquals(0.0, m.get("replog_rejected_frames_total{reason=\"unauthorized\"}"));
        }
    }

    @Test
    void aLogOnDiskShowsItsSizeAndItsFsyncs(@TempDir final Path dir) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(1).onDisk(dir))) {
            final ReplogNode master = cluster.master();
            try (ReplogClient c = client(master)) {
                for (int i = 0; i < 20; i++) {
                    Await.result(c.append("message " + i, 2));
                }
            }
            final Map<String, Double> m = scrape(master);
            // the flusher's fsyncs made each of the 20 messages durable exactly once
            assertEquals(20.0, m.get("replog_fsync_batch_messages_sum"));
            final double fsyncs = m.get("replog_fsync_latency_seconds_count");
            assertTrue(fsyncs >= m.get("replog_fsync_batch_messages_count") && fsyncs >= 1, "fsyncs " + m);
            assertTrue(m.get("replog_fsync_latency_seconds_sum") > 0);
            final long onDisk;
            try (var files = Files.walk(dir.resolve("master"))) {
                onDisk = files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .mapToLong(f -> f.toFile().length()).sum();
            }
            assertTrue(m.get("replog_log_bytes") > 20 * "message 0".length() && m.get("replog_log_bytes") <= onDisk,
                "log bytes " + m.get("replog_log_bytes") + " vs segment files " + onDisk);
        }
    }
}
