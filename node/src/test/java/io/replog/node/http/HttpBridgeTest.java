package io.replog.node.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.ClusterExtension;
import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every route and every error case of the HTTP bridge, through a real HTTP client against real nodes. */
class HttpBridgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(LocalCluster.Settings.ephemeral(2));

    private record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    }

    private static Reply call(final ReplogNode node, final String method, final String path, final String body)
        throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpPort() + path)).timeout(Duration.ofSeconds(60));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
        final HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
        return new Reply(response.statusCode(), JSON.readTree(response.body()), response);
    }

    private static Reply post(final ReplogNode node, final String body) throws Exception {
        return call(node, "POST", "/append", body);
    }

    private static void assertError(final Reply reply, final int status, final String detailPart) {
        assertEquals(status, reply.status(), reply.raw().body());
        assertTrue(reply.body().path("detail").asText().contains(detailPart),
            "detail should mention '" + detailPart + "': " + reply.body());
    }

    @Test
    void appendWithEachWReturnsItsMsgIdAndEveryNodeListsItInOrder() throws Exception {
        final ReplogNode master = cluster.master();
        final long first = post(master, "{\"message\": \"default-w\"}").body().path("msg_id").asLong();
        final Reply w2 = post(master, "{\"message\": \"w-two\", \"w\": 2}");
        final Reply w3 = post(master, "{\"message\": \"w-three\", \"w\": 3}");
        assertEquals(200, w2.status());
        assertEquals("OK", w2.body().path("status").asText());
        assertEquals(first + 1, w2.body().path("msg_id").asLong());
        assertEquals(first + 2, w3.body().path("msg_id").asLong());
        // w=3 answered: both secondaries hold it already, no waiting needed
        for (final ReplogNode node : java.util.List.of(master, cluster.secondaries().get(0),
            cluster.secondaries().get(1))) {
            final JsonNode list = call(node, "GET", "/messages", null).body();
            assertTrue(list.isArray());
            for (int i = 0; i < list.size(); i++) {
                assertEquals(i + 1, list.get(i).path("msg_id").asLong(), "msg_id order");
            }
            final int at = (int) first - 1;
            assertEquals("default-w", list.get(at).path("message").asText());
            assertEquals("w-two", list.get(at + 1).path("message").asText());
            assertEquals("w-three", list.get(at + 2).path("message").asText());
        }
    }

    @Test
    void messagesTakesFromAndLimit() throws Exception {
        final ReplogNode master = cluster.master();
        final long a = post(master, "{\"message\": \"page-a\", \"w\": 1}").body().path("msg_id").asLong();
        post(master, "{\"message\": \"page-b\", \"w\": 1}");
        final JsonNode page = call(master, "GET", "/messages?from=" + a + "&limit=1", null).body();
        assertEquals(1, page.size());
        assertEquals("page-a", page.get(0).path("message").asText());
        assertError(call(master, "GET", "/messages?from=zero", null), 400, "integers");
        assertError(call(master, "GET", "/messages?from=0", null), 400, "from");
    }

    @Test
    void aLongLogStreamsAsOneValidJsonArray() throws Exception {
        final ReplogNode master = cluster.master();
        final long before = master.role().log().lastId();
        try (io.replog.protocol.client.ReplogClient client = io.replog.protocol.client.ReplogClient.connect(
            "127.0.0.1", master.port())) {
            final java.util.List<java.util.concurrent.CompletableFuture<Long>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                answers.add(client.append("bulk \"" + i + "\"", 1));
            }
            answers.forEach(Await::result);
        }
        final Reply all = call(master, "GET", "/messages?from=" + (before + 1), null);
        assertEquals(200, all.status());
        assertEquals(20_000, all.body().size(), "many chunks, one array");
        for (int i = 0; i < 20_000; i++) {
            assertEquals(before + 1 + i, all.body().get(i).path("msg_id").asLong());
            assertEquals("bulk \"" + i + "\"", all.body().get(i).path("message").asText());
        }
        assertEquals(0, call(master, "GET", "/messages?from=" + (before + 1) + "&limit=0", null).body().size());
        assertEquals(0, call(master, "GET", "/messages?from=999999999", null).body().size());
    }

    @Test
    void unicodeMessagesSurviveTheRoundTrip() throws Exception {
        final long id = post(cluster.master(), "{\"message\": \"grüße ☃ \\n tab\\t\", \"w\": 3}")
            .body().path("msg_id").asLong();
        final JsonNode list = call(cluster.secondaries().get(1), "GET", "/messages?from=" + id, null).body();
        assertEquals("grüße ☃ \n tab\t", list.get(0).path("message").asText());
    }

    /** /messages writes every character as UTF-8, an emoji as much as é: no \\u escapes for either. */
    @Test
    void everyCharacterIsListedAsUtf8() throws Exception {
        final String text = "party 🎉 café 日本語";
        final long id = post(cluster.master(), "{\"message\": \"party \\ud83c\\udf89 café 日本語\", \"w\": 3}")
            .body().path("msg_id").asLong();
        final Reply listed = call(cluster.secondaries().get(0), "GET", "/messages?from=" + id + "&limit=1", null);
        assertEquals(text, listed.body().get(0).path("message").asText());
        assertTrue(listed.raw().body().contains(text), "raw UTF-8, not escaped: " + listed.raw().body());
        assertFalse(listed.raw().body().contains("\\u"), listed.raw().body());
    }

    /** UTF-8 cannot carry a lone surrogate: refused, not stored as '?'. A pair (an emoji) is fine. */
    @Test
    void aLoneSurrogateIs400AndNothingIsStored() throws Exception {
        final long before = cluster.master().role().log().lastId();
        assertError(post(cluster.master(), "{\"message\": \"lone surrogate \\ud83d\", \"w\": 1}"), 400,
            "a lone UTF-16 surrogate (\\ud83d) at character 15");
        assertError(post(cluster.master(), "{\"message\": \"\\udf89 low first\", \"w\": 1}"), 400,
            "(\\udf89) at character 0");
        assertError(post(cluster.master(), "{\"message\": \"swapped \\udf89\\ud83c\", \"w\": 1}"), 400,
            "at character 8");
        assertEquals(before, cluster.master().role().log().lastId(), "nothing stored");
    }

    @Test
    void healthReportsRoleAndSecondaries() throws Exception {
        final JsonNode master = call(cluster.master(), "GET", "/health", null).body();
        assertEquals("master", master.path("role").asText());
        assertEquals(false, master.path("read_only").asBoolean(true));
        assertEquals(2, master.path("quorum").asInt());
        assertEquals(2, master.path("peers").size());
        Await.until("both secondaries healthy and streaming", () -> {
            try {
                final JsonNode h = call(cluster.master(), "GET", "/health", null).body();
                for (final JsonNode s : h.path("peers")) {
                    if (!"Healthy".equals(s.path("status").asText())
                        || !"STREAMING".equals(s.path("connection").asText())
                        || s.path("lag").asLong(-1) != 0 || !s.has("acked") || !s.has("address")) {
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        final JsonNode secondary = call(cluster.secondaries().get(0), "GET", "/health", null).body();
        assertEquals("secondary", secondary.path("role").asText());
        assertTrue(secondary.has("last_msg_id"));
        // both logs are one: the secondary follows the master's log identity, which both report
        assertTrue(master.path("log_id").asText().matches("[0-9a-f]+"), master.toString());
        assertEquals(master.path("log_id").asText(), secondary.path("log_id").asText());
        final int maxMessage = io.replog.protocol.FrameHeader.DEFAULT_MAX_FRAME_LENGTH - 89;
        assertEquals(maxMessage, master.path("max_message_bytes").asInt());
        assertEquals(maxMessage, secondary.path("max_message_bytes").asInt());
    }

    @Test
    void invalidJsonIs400() throws Exception {
        assertError(post(cluster.master(), "{\"message\": "), 400, "invalid JSON");
        assertError(post(cluster.master(), "not json at all"), 400, "invalid JSON");
        assertError(post(cluster.master(), ""), 400, "JSON object");
        assertError(post(cluster.master(), "[\"message\"]"), 400, "JSON object");
    }

    @Test
    void missingOrNonStringMessageIs400() throws Exception {
        assertError(post(cluster.master(), "{\"w\": 1}"), 400, "\"message\"");
        assertError(post(cluster.master(), "{\"message\": 42}"), 400, "\"message\"");
        assertError(post(cluster.master(), "{\"message\": null}"), 400, "\"message\"");
    }

    @Test
    void wOutOfRangeOrNotAnIntegerIs400() throws Exception {
        assertError(post(cluster.master(), "{\"message\": \"x\", \"w\": 0}"), 400, "between 1 and 3");
        assertError(post(cluster.master(), "{\"message\": \"x\", \"w\": 4}"), 400, "between 1 and 3");
        assertError(post(cluster.master(), "{\"message\": \"x\", \"w\": \"2\"}"), 400, "\"w\"");
        assertError(post(cluster.master(), "{\"message\": \"x\", \"w\": 1.5}"), 400, "\"w\"");
        assertError(post(cluster.master(), "{\"message\": \"x\", \"w\": 99999999999}"), 400, "\"w\"");
        assertError(post(cluster.master(), "{\"message\": \"x\", \"timeout_ms\": -1}"), 400, "timeout_ms");
    }

    @Test
    void unknownPathIs404() throws Exception {
        assertError(call(cluster.master(), "GET", "/nope", null), 404, "/nope");
        assertError(call(cluster.secondaries().get(0), "POST", "/messages/1", "{}"), 404, "/messages/1");
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        final Reply getAppend = call(cluster.master(), "GET", "/append", null);
        assertError(getAppend, 405, "POST");
        assertEquals("POST", getAppend.raw().headers().firstValue("allow").orElse(""));
        final Reply postMessages = call(cluster.master(), "POST", "/messages", "{}");
        assertError(postMessages, 405, "GET");
        assertEquals("GET", postMessages.raw().headers().firstValue("allow").orElse(""));
        assertError(call(cluster.master(), "DELETE", "/health", null), 405, "GET");
    }

    @Test
    void aMessageOverTheLimitOrABodyOverTheBodyLimitIs413() throws Exception {
        final int maxFrame = io.replog.protocol.FrameHeader.DEFAULT_MAX_FRAME_LENGTH;
        final String tooLong = "{\"message\": \"" + "x".repeat(maxFrame) + "\"}";
        assertError(post(cluster.master(), tooLong), 413,
            "message of " + maxFrame + " bytes exceeds the limit of " + (maxFrame - 89));
        final String hugeBody = "{\"message\": \"x\", \"pad\": \"" + "x".repeat(2 * maxFrame + 1024) + "\"}";
        assertError(post(cluster.master(), hugeBody), 413, "request body exceeds " + (2 * maxFrame + 1024));
        assertEquals(200, call(cluster.master(), "GET", "/health", null).status());
    }

    @Test
    void secondaryRefusesAppendsWith421() throws Exception {
        assertError(post(cluster.secondaries().get(0), "{\"message\": \"x\"}"), 421, "not the master");
    }

    @Test
    void clientThatVanishesMidRequestLosesNothingAndOthersAreServed() throws Exception {
        final ReplogNode master = cluster.master();
        final String body = "{\"message\": \"vanishing\", \"w\": 3}";
        try (Socket socket = new Socket("127.0.0.1", master.httpPort())) {
            final OutputStream out = socket.getOutputStream();
            out.write(("POST /append HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
        } // closed before reading the answer
        Await.until("the vanished client's message reached every node", () -> {
            try {
                for (final ReplogNode n : java.util.List.of(master, cluster.secondaries().get(0),
                    cluster.secondaries().get(1))) {
                    if (!call(n, "GET", "/messages", null).raw().body().contains("vanishing")) {
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(200, post(master, "{\"message\": \"after\"}").status());
    }

    /** A body half sent, then the connection closed: nothing stored, one line in the log (no stack trace). */
    @Test
    void aRequestAbandonedHalfWayIsOneLogLineAndNothingStored() throws Exception {
        final ch.qos.logback.classic.Logger logger =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(HttpBridgeHandler.class);
        final ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            final long before = cluster.master().role().log().lastId();
            try (Socket socket = new Socket("127.0.0.1", cluster.master().httpPort())) {
                socket.getOutputStream().write(("POST /append HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
                    + "{\"message\": \"half").getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            }
            Await.until("the abandoned request is logged", () -> snapshot(lines).stream()
                .anyMatch(e -> e.getFormattedMessage().contains("closed the connection in the middle of its request")));
            for (final ILoggingEvent event : snapshot(lines)) {
                assertEquals(Level.INFO, event.getLevel(), event.getFormattedMessage());
                assertNull(event.getThrowableProxy(), "no stack trace: " + event.getFormattedMessage());
            }
            assertEquals(200, call(cluster.master(), "GET", "/health", null).status());
            assertEquals(before, cluster.master().role().log().lastId(), "nothing stored");
        } finally {
            logger.detachAppender(lines);
        }
    }

    private static java.util.List<ILoggingEvent> snapshot(final ListAppender<ILoggingEvent> appender) {
        synchronized (appender) {
            return java.util.List.copyOf(appender.list);
        }
    }

    @Test
    void malformedHttpGetsA400AndTheNodeKeepsServing() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", cluster.master().httpPort())) {
            socket.setSoTimeout(30_000); // the answer, then the close, must come: never wait forever
            socket.getOutputStream().write("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            final String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("\"detail\""), answer);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(200, call(cluster.master(), "GET", "/health", null).status());
    }
}
