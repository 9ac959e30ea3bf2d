package io.replog.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's curl walk-through as assertions: a master, a prompt secondary and one that holds every replication
 * request {@value #DELAY_MS} ms (the inconsistency window).
 */
class HttpPromisesTest {
    static final long DELAY_MS = 3_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2, 0L, DELAY_MS));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static ReplogNode delayed() {
        return cluster.secondaries().get(1);
    }

    private static HttpResponse<String> post(final String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.master().httpPort()
            + "/append")).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode messagesOn(final ReplogNode node) {
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
                + "/messages")).build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean holds(final ReplogNode node, final String message) {
        for (final JsonNode m : messagesOn(node)) {
            if (message.equals(m.path("message").asText())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void wDefaultsToOneAndTheDelayedSecondaryServesReadsWithoutItDuringItsDelay() throws Exception {
        final long sent = System.nanoTime();
        final HttpResponse<String> ok = post("{\"message\": \"no w given\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        final long msgId = JSON.readTree(ok.body()).path("msg_id").asLong();
        // answered without waiting for any secondary: the delayed one cannot have it within its delay
        assertTrue(!holds(delayed(), "no w given") && (System.nanoTime() - sent) / 1_000_000 < DELAY_MS,
            "w=1 answered before the delayed secondary stored it");
        Await.until("the delayed secondary shows it later, at the same msg_id", () -> {
            for (final JsonNode m : messagesOn(delayed())) {
                if (m.path("msg_id").asLong() == msgId) {
                    return "no w given".equals(m.path("message").asText());
                }
            }
            return false;
        });
    }

    @Test
    void aTaggedAppendSentAgainOverHttpIsAnsweredWithItsFirstMsgIdAndStoredOnce() throws Exception {
        final String body = "{\"message\": \"tagged over http\", \"w\": 2, \"client_id\": 77, \"seq\": 1}";
        final long first = JSON.readTree(post(body).body()).path("msg_id").asLong();
        final HttpResponse<String> again = post(body);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(first, JSON.readTree(again.body()).path("msg_id").asLong());
        long copies = 0;
        for (final JsonNode m : messagesOn(cluster.master())) {
            copies += "tagged over http".equals(m.path("message").asText()) ? 1 : 0;
        }
        assertEquals(1, copies);
    }

    @Test
    void aTagNeedsANonZeroClientIdAndASeqOfAtLeastOne() throws Exception {
        for (final String bad : new String[] {
            "{\"message\": \"x\", \"client_id\": 0, \"seq\": 1}",
            "{\"message\": \"x\", \"client_id\": 5, \"seq\": 0}",
            "{\"message\": \"x\", \"client_id\": 5}",
            "{\"message\": \"x\", \"client_id\": \"5\", \"seq\": 1}"}) {
            final HttpResponse<String> refused = post(bad);
            assertEquals(400, refused.statusCode(), bad);
            assertTrue(JSON.readTree(refused.body()).path("detail").asText().contains("client_id"), refused.body());
        }
    }
}
