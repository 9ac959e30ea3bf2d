package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Appends waiting for a write concern that cannot be met (one of two secondaries is dead): answered ones leave at
 * once, waiting ones are bounded, and the node's shutdown answers every one still waiting before it closes.
 */
class WaitingAppendsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int MAX_PENDING = 100;

    private EventLoops loops;
    private ReplogNode alive;
    private ReplogNode master;

    @BeforeEach
    void start() throws Exception {
        loops = new EventLoops(2, "waiting");
        alive = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0), loops);
        final int dead;
        try (ServerSocket closed = new ServerSocket(0)) {
            dead = closed.getLocalPort(); // nobody listens there once this closes
        }
        master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .secondaries(List.of(new InetSocketAddress("127.0.0.1", alive.port()),
                new InetSocketAddress("127.0.0.1", dead)))
            .maxPendingAppends(MAX_PENDING), loops);
        ClusterTestSupport.awaitWritable(master);
    }

    @AfterEach
    void stop() {
        master.close();
        alive.close();
        loops.close();
    }

    private JsonNode health() {
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + master.httpPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private CompletableFuture<HttpResponse<String>> postAppend(final String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + master.httpPort()
            + "/append")).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static short code(final CompletableFuture<Long> answer) {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ReplogException.class, e.getCause()).code();
    }

    @Test
    void timedOutAppendsAreNoLongerCountedOrHeld() throws Exception {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
            final List<CompletableFuture<Long>> answers = new ArrayList<>();
            for (int i = 0; i < 2_400; i++) {
                answers.add(client.append(("t" + i).getBytes(), 3, 1));
            }
            int timedOut = 0;
            for (final CompletableFuture<Long> a : answers) {
                final short code = code(a);
                // pipelined faster than 1 ms timeouts expire, some meet the bound of 100 waiting
                assertTrue(code == ErrorCode.TIMEOUT || code == ErrorCode.OVERLOADED, "code " + code);
                timedOut += code == ErrorCode.TIMEOUT ? 1 : 0;
            }
            assertTrue(timedOut >= MAX_PENDING, "timed out: " + timedOut);
            assertEquals(0, health().path("pending_appends").asInt(), "2400 answered appends, none waiting");
            // and they did not use up the bound: a full set of waiting appends is still admitted
            final List<CompletableFuture<Long>> waiting = new ArrayList<>();
            for (int i = 0; i < MAX_PENDING; i++) {
                waiting.add(client.append(("w" + i).getBytes(), 3, 0));
            }
            Await.until("all waiting", () -> health().path("pending_appends").asInt() == MAX_PENDING);
            waiting.forEach(w -> assertFalse(w.isDone()));
        }
    }

    @Test
    void pastTheBoundWaitingAppendsAreRefusedAndW1IsStillServed() throws Exception {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
            final List<CompletableFuture<Long>> waiting = new ArrayList<>();
            for (int i = 0; i < MAX_PENDING; i++) {
                waiting.add(client.append(("w" + i).getBytes(), 3, 0));
            }
            Await.until("the bound is reached", () -> health().path("pending_appends").asInt() == MAX_PENDING);
            assertEquals(ErrorCode.OVERLOADED, code(client.append("one more".getBytes(), 3, 0)));
            assertEquals(ErrorCode.OVERLOADED, code(client.append("w2 too".getBytes(), 2, 0)));
            final HttpResponse<String> http = postAppend("{\"message\": \"over http\", \"w\": 2}").get(30,
                TimeUnit.SECONDS);
            assertEquals(429, http.statusCode());
            assertTrue(JSON.readTree(http.body()).path("detail").asText().contains("--max-pending-appends"),
                http.body());
            assertTrue(client.append("w1 is never refused by it".getBytes(), 1, 0).get(30, TimeUnit.SECONDS) > 0);
            assertEquals(MAX_PENDING, health().path("max_pending_appends").asInt());
            waiting.forEach(w -> assertFalse(w.isDone()));
        }
    }

    @Test
    void closingTheNodeAnswersEveryWaitingAppendBeforeTheConnectionsClose() throws Exception {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
            final CompletableFuture<Long> binary = client.append("binary".getBytes(), 3, 0);
            // one after the other, so the binary one is msg_id 1 (concurrently either could be)
            Await.until("the binary append waiting", () -> health().path("pending_appends").asInt() == 1);
            final CompletableFuture<HttpResponse<String>> http = postAppend("{\"message\": \"http\", \"w\": 3}");
            Await.until("both waiting", () -> health().path("pending_appends").asInt() == 2);
            master.close();
            final ExecutionException e = assertThrows(ExecutionException.class, () -> binary.get(30, TimeUnit.SECONDS));
            final ReplogException refused = assertInstanceOf(ReplogException.class, e.getCause());
            assertEquals(ErrorCode.SHUTTING_DOWN, refused.code(), refused.toString());
            assertTrue(refused.getMessage().contains("stored as msg_id 1 but w=3 was not reached"),
                refused.getMessage());
            final HttpResponse<String> answer = http.get(30, TimeUnit.SECONDS);
            assertEquals(503, answer.statusCode());
            assertTrue(JSON.readTree(answer.body()).path("detail").asText().startsWith(
                "the master is shutting down"), answer.body());
        }
    }
}
