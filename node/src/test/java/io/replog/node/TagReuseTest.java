package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.cluster.FailoverNodes;
import io.replog.protocol.AppendOk;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tagged append sent again says so ({@code duplicate}: nothing new stored, NATS JetStream's word), and a tag sent
 * again with another message is refused with TAG_REUSED / 409 instead of being answered as if stored: in both modes,
 * over both protocols, and on a failover master that learnt the tag from its log at its election.
 */
class TagReuseTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ReplogException refusal(final ReplogClient client, final String text, final long clientId,
                                           final long seq) {
        final CompletionException e = assertThrows(CompletionException.class,
            () -> Await.result(client.appendTagged(bytes(text), 2, 0, clientId, seq)));
        return (ReplogException) e.getCause();
    }

    private static HttpResponse<String> post(final int httpPort, final String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/append"))
            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** The same checks against a master's binary and HTTP ports. */
    private static void duplicatesAreFlaggedAndReusedTagsRefused(final ReplogClient client, final int httpPort)
        throws Exception {
        final AppendOk first = Await.result(client.appendTagged(bytes("first"), 2, 0, 77, 1));
        assertFalse(first.duplicate(), "stored now");
        final AppendOk again = Await.result(client.appendTagged(bytes("first"), 2, 0, 77, 1));
        assertEquals(first.msgId(), again.msgId());
        assertTrue(again.duplicate(), "sent again: flagged");

        final ReplogException reused = refusal(client, "another message", 77, 1);
        assertEquals(ErrorCode.TAG_REUSED, reused.code(), reused.toString());
        assertTrue(reused.getMessage().contains("client_id 77 seq 1 was stored as msg_id " + first.msgId()),
            reused.getMessage());

        final String body = "{\"message\": \"over http\", \"w\": 2, \"client_id\": 78, \"seq\": 1}";
        final JsonNode stored = JSON.readTree(post(httpPort, body).body());
        assertFalse(stored.has("duplicate"), stored.toString());
        final HttpResponse<String> resent = post(httpPort, body);
        assertEquals(200, resent.statusCode());
        final JsonNode duplicate = JSON.readTree(resent.body());
        assertEquals(stored.path("msg_id").asLong(), duplicate.path("msg_id").asLong());
        assertTrue(duplicate.path("duplicate").asBoolean(), duplicate.toString());
        final HttpResponse<String> conflict = post(httpPort,
            "{\"message\": \"other text\", \"w\": 2, \"client_id\": 78, \"seq\": 1}");
        assertEquals(409, conflict.statusCode(), conflict.body());
        assertTrue(JSON.readTree(conflict.body()).path("detail").asText().contains("with other bytes"),
            conflict.body());
    }

    @Test
    void aFixedMasterFlagsDuplicatesAndRefusesReusedTags() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2));
             ReplogClient client = ReplogClient.connect("127.0.0.1", cluster.master().port())) {
            duplicatesAreFlaggedAndReusedTagsRefused(client, cluster.master().httpPort());
            final long last = cluster.master().role().log().lastId();
            refusal(client, "yet another", 77, 1);
            assertEquals(last, cluster.master().role().log().lastId(), "a refused reuse stores nothing");
        }
    }

    @Test
    void aFailoverMasterFlagsDuplicatesAndRefusesReusedTagsAlsoAfterAnElection() throws Exception {
        try (FailoverNodes nodes = FailoverNodes.start()) {
            final int master = nodes.awaitMaster(0);
            try (ReplogClient client = nodes.client(master)) {
                duplicatesAreFlaggedAndReusedTagsRefused(client, nodes.httpPort(master));
            }
            // the next master learns the tags from its log (no checksum kept): it reads the first message to compare
            nodes.stop(master);
            final int next = nodes.awaitMaster(master);
            try (ReplogClient client = nodes.client(next)) {
                final ReplogException reused = refusal(client, "reused after the election", 77, 1);
                assertEquals(ErrorCode.TAG_REUSED, reused.code(), reused.toString());
                final AppendOk again = Await.result(client.appendTagged(bytes("first"), 2, 0, 77, 1));
                assertTrue(again.duplicate(), "the first message sent again: flagged");
            }
        }
    }
}
