package io.replog.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.LocalCluster;
import io.replog.node.role.ReplicationHold;
import io.replog.protocol.FrameHeader;
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
 * The HTTP bridge answers pipelined requests in request order, even behind an append that waits for a slow
 * secondary; and what it is sent from outside (a malformed URI, an oversized body announced with
 * {@code Expect: 100-continue}, any uint32 {@code timeout_ms}) gets a JSON answer, never a 500 or a bare status.
 */
class HttpRequestOrderAndInputTest {
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

    private static int httpPort() {
        return cluster.master().httpPort();
    }

    @Test
    void pipelinedRequestsBehindAWaitingAppendAreAnsweredInRequestOrder() throws Exception {
        try (RawHttp http = new RawHttp(httpPort())) {
            // the second secondary held: the w=3 append waits, and nothing behind it may be answered before it
            try (ReplicationHold.Held held = cluster.secondaries().get(1).role().holdReplication()) {
                // one write: the node decodes all four from one read
                http.send(RawHttp.post("/append", "{\"message\": \"slow\", \"w\": 3}"),
                    RawHttp.get("/health"),
                    RawHttp.post("/append", "{\"message\": \"fast\", \"w\": 1}"),
                    RawHttp.get("/messages?limit=1&from=1"));
                Await.until("the w=3 append reached the held secondary", () -> held.size() > 0);
                assertEquals(0, http.socket().getInputStream().available(), "nothing answered before the w=3 append");
            }
            final RawHttp.Response slow = http.read();
            assertEquals(200, slow.status(), slow.body());
            final JsonNode slowBody = JSON.readTree(slow.body());
            assertTrue(slowBody.has("msg_id"), "first answer must be the w=3 append's, got " + slow.body());
            final RawHttp.Response health = http.read();
            assertEquals("master", JSON.readTree(health.body()).path("role").asText(), health.body());
            final RawHttp.Response fast = http.read();
            assertEquals(slowBody.path("msg_id").asLong() + 1, JSON.readTree(fast.body()).path("msg_id").asLong(),
                fast.body());
            final RawHttp.Response messages = http.read();
            assertTrue(JSON.readTree(messages.body()).isArray(), messages.body());
        }
    }

    @Test
    void aScrapeAnsweredOffTheEventLoopStaysInOrderWithTheRequestsBehindIt() throws Exception {
        try (RawHttp http = new RawHttp(httpPort())) {
            http.send(RawHttp.get("/metrics"), RawHttp.get("/health"), RawHttp.get("/metrics"));
            final RawHttp.Response first = http.read();
            assertTrue(first.body().contains("replog_last_msg_id"), first.body());
            assertEquals("master", JSON.readTree(http.read().body()).path("role").asText());
            assertTrue(http.read().body().contains("jvm_memory_used_bytes"));
        }
    }

    @Test
    void aMalformedPercentEscapeIs400AndTheConnectionStaysUsable() throws Exception {
        try (RawHttp http = new RawHttp(httpPort())) {
            http.send(RawHttp.get("/messages?from=%zz"), RawHttp.get("/health"));
            final RawHttp.Response bad = http.read();
            assertEquals(400, bad.status(), bad.body());
            assertEquals("application/json", bad.header("content-type"));
            assertTrue(JSON.readTree(bad.body()).path("detail").asText().contains("%zz"), bad.body());
            assertEquals(200, http.read().status(), "the same connection serves the next request");
        }
        try (RawHttp http = new RawHttp(httpPort())) {
            http.send(RawHttp.get("/mess%zzages"));
            final RawHttp.Response bad = http.read();
            assertEquals(400, bad.status(), bad.body());
            assertTrue(JSON.readTree(bad.body()).has("detail"), bad.body());
        }
    }

    @Test
    void anOversizedBodyAnnouncedWithExpectContinueGetsA413WithJsonDetail() throws Exception {
        final long tooLarge = HttpBridgeInitializer.maxBodyBytes(FrameHeader.DEFAULT_MAX_FRAME_LENGTH) + 1L;
        try (RawHttp http = new RawHttp(httpPort())) {
            http.send("POST /append HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + tooLarge + "\r\nExpect: 100-continue\r\n\r\n");
            final RawHttp.Response refused = http.read();
            assertEquals(413, refused.status(), refused.body());
            assertEquals("application/json", refused.header("content-type"));
            assertTrue(JSON.readTree(refused.body()).path("detail").asText().contains("request body exceeds"),
                refused.body());
        }
        // a body within the limit still gets 100 Continue and is taken
        final HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort()
                + "/append")).expectContinue(true).POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"m\"}"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void timeoutMsTakesTheWholeUint32RangeAndNothingElse() throws Exception {
        for (final String ok : new String[] {"0", "1", "2147483647", "2147483648", "4294967295"}) {
            final HttpResponse<String> answer = post("{\"message\": \"t" + ok + "\", \"w\": 1, \"timeout_ms\": "
                + ok + "}");
            assertEquals(200, answer.statusCode(), "timeout_ms " + ok + ": " + answer.body());
        }
        for (final String bad : new String[] {"-1", "4294967296", "99999999999999999999", "1.5", "\"5\"", "true"}) {
            final HttpResponse<String> answer = post("{\"message\": \"t\", \"w\": 1, \"timeout_ms\": " + bad + "}");
            assertEquals(400, answer.statusCode(), "timeout_ms " + bad + ": " + answer.body());
            assertTrue(JSON.readTree(answer.body()).path("detail").asText().contains("4294967295"), answer.body());
        }
    }

    private static HttpResponse<String> post(final String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + "/append"))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
