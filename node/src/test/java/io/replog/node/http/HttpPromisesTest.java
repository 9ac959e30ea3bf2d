package io.replog.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.node.role.ReplicationHold;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's curl walk-through as assertions: a master and two secondaries, whose replication a test holds for
 * as long as it needs the inconsistency window ({@link ReplicationHold}) where the README starts a delayed one.
 */
class HttpPromisesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static ReplogNode delayed() {
        return cluster.secondaries().get(1);
    }

    private static ReplicationHold.Held hold(final ReplogNode secondary) {
        return secondary.role().holdReplication();
    }

    /** POST /append; an answer that does not come fails the test (Await's deadline) instead of hanging it. */
    private static HttpResponse<String> post(final String body) {
        return Await.result(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + cluster.master().httpPort() + "/append")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString()));
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
    void wDefaultsToOneAndADelayedSecondaryServesReadsWithoutIt() throws Exception {
        final long msgId;
        try (ReplicationHold.Held prompt = hold(cluster.secondaries().get(0));
             ReplicationHold.Held slow = hold(delayed())) {
            // answered while no secondary can store it: w=1 (a default of 2 or 3 would leave it unanswered)
            final HttpResponse<String> ok = post("{\"message\": \"no w given\"}");
            assertEquals(200, ok.statusCode(), ok.body());
            msgId = JSON.readTree(ok.body()).path("msg_id").asLong();
            assertFalse(holds(delayed(), "no w given"), "the delayed secondary serves reads without it");
        }
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
