package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults with real OS processes: nodes are started as separate JVMs and killed with SIGKILL, so nothing gets to
 * say goodbye. The master runs with short health timings (heartbeat 100 ms, Suspected after 400 ms, Unhealthy after
 * 1.5 s) so that the tests see state changes quickly, yet a scheduling hiccup on a loaded CI machine does not make a
 * live secondary Unhealthy.
 */
class CrashRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final String[] FAST_HEALTH = {"--heartbeat-ms", "100", "--suspect-after-ms", "400",
        "--unhealthy-after-ms", "1500", "--retry-cap-ms", "300"};

    private record Ports(int port, int http) {
        static Ports free() {
            return new Ports(NodeProcess.freePort(), NodeProcess.freePort());
        }

        String address() {
            return "127.0.0.1:" + port;
        }
    }

    private static NodeProcess secondary(final String name, final Ports p, final String... extra) {
        final List<String> args = new ArrayList<>(List.of("secondary", "--bind", "127.0.0.1", "--port",
            String.valueOf(p.port), "--http-port", String.valueOf(p.http)));
        args.addAll(List.of(extra));
        return NodeProcess.start(name, p.port, args.toArray(String[]::new));
    }

    private static NodeProcess master(final String name, final Ports p, final Ports... secondaries) {
        final List<String> args = new ArrayList<>(List.of("master", "--bind", "127.0.0.1", "--port",
            String.valueOf(p.port), "--http-port", String.valueOf(p.http), "--secondaries",
            String.join(",", java.util.Arrays.stream(secondaries).map(Ports::address).toList())));
        args.addAll(List.of(FAST_HEALTH));
        return NodeProcess.start(name, p.port, args.toArray(String[]::new));
    }

    private static HttpResponse<String> post(final Ports p, final String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.http + "/append"))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(final Ports p, final String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.http + "/append"))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(final Ports p, final String path) {
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.http + path))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> messages(final Ports p) {
        final List<String> out = new ArrayList<>();
        get(p, "/messages").forEach(m -> out.add(m.path("message").asText()));
        return out;
    }

    private static long msgId(final HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("msg_id").asLong();
    }

    private static void awaitWritable(final Ports master) {
        Await.until("master writable", () -> !get(master, "/health").path("read_only").asBoolean(true));
    }

    @Test
    void acceptanceScenarioW3WaitsForTheMissingSecondaryWithoutBlockingOthers() throws Exception {
        final Ports m = Ports.free();
        final Ports s1 = Ports.free();
        final Ports s2 = Ports.free();
        try (NodeProcess secondary1 = secondary("accept-s1", s1);
             NodeProcess master = master("accept-master", m, s1, s2)) {
            awaitWritable(m); // master + secondary 1 = 2 of 3: a quorum
            assertEquals(1, msgId(post(m, "{\"message\": \"Msg1\", \"w\": 1}")));
            assertEquals(2, msgId(post(m, "{\"message\": \"Msg2\", \"w\": 2}")));
            final CompletableFuture<HttpResponse<String>> msg3 = postAsync(m, "{\"message\": \"Msg3\", \"w\": 3}");
            Await.until("Msg3 is in the master's log", () -> messages(m).contains("Msg3"));
            assertEquals(4, msgId(post(m, "{\"message\": \"Msg4\", \"w\": 1}")));
            assertFalse(msg3.isDone(), "Msg3 (w=3) must wait for secondary 2");

            try (NodeProcess secondary2 = secondary("accept-s2", s2)) {
                assertEquals(3, msgId(msg3.get()));
                final List<String> expected = List.of("Msg1", "Msg2", "Msg3", "Msg4");
                assertEquals(expected, messages(m));
                assertEquals(expected, messages(s1));
                Await.until("secondary 2 has Msg4 too", () -> messages(s2).size() == 4);
                assertEquals(expected, messages(s2));
            }
        }
    }

    @Test
    void aSecondaryKilledMidStreamCatchesUpCompletelyAfterRestart() throws Exception {
        final Ports m = Ports.free();
        final Ports s1 = Ports.free();
        final Ports s2 = Ports.free();
        final int total = 30_000;
        try (NodeProcess secondary1 = secondary("kill-s1", s1);
             NodeProcess secondary2 = secondary("kill-s2", s2);
             NodeProcess master = master("kill-master", m, s1, s2);
             ReplogClient client = ReplogClient.connect("127.0.0.1", m.port)) {
            awaitWritable(m);
            final AtomicLong appended = new AtomicLong();
            final CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
                final List<CompletableFuture<Long>> window = new ArrayList<>();
                for (int i = 1; i <= total; i++) {
                    window.add(client.append("stream-" + i, 1));
                    if (window.size() == 500) {
                        window.forEach(CompletableFuture::join);
                        appended.addAndGet(window.size());
                        window.clear();
                    }
                }
                window.forEach(CompletableFuture::join);
                appended.addAndGet(window.size());
            });
            Await.until("a third of the stream is in", () -> appended.get() >= total / 3);
            secondary1.kill();
            Await.until("the master sees secondary 1 as Unhealthy", () ->
                "Unhealthy".equals(get(m, "/health").path("secondaries").get(0).path("status").asText()));
            secondary1.launch(); // empty memory, same port
            stream.join();
            Await.until("restarted secondary has all " + total, () -> {
                final JsonNode s = get(m, "/health").path("secondaries").get(0);
                return s.path("acked").asLong() == total && "Healthy".equals(s.path("status").asText());
            });
            final List<Message> onMaster = client.readAll();
            try (ReplogClient c1 = ReplogClient.connect("127.0.0.1", s1.port);
                 ReplogClient c2 = ReplogClient.connect("127.0.0.1", s2.port)) {
                Await.until("secondary 2 has all", () -> get(s2, "/health").path("last_msg_id").asLong() == total);
                final List<Message> on1 = c1.readAll();
                final List<Message> on2 = c2.readAll();
                assertEquals(total, onMaster.size());
                for (int i = 0; i < total; i++) {
                    assertEquals("stream-" + (i + 1), onMaster.get(i).text(), "master order");
                    assertEquals(onMaster.get(i).text(), on1.get(i).text(), "restarted secondary, msg " + (i + 1));
                    assertEquals(onMaster.get(i).text(), on2.get(i).text(), "other secondary, msg " + (i + 1));
                }
                assertEquals(total, on1.size());
                assertEquals(total, on2.size());
            }
        }
    }

    @Test
    void withoutAQuorumTheMasterTurnsReadOnlyAndBackWithoutARestart() throws Exception {
        final Ports m = Ports.free();
        final Ports s1 = Ports.free();
        final Ports s2 = Ports.free();
        try (NodeProcess secondary1 = secondary("quorum-s1", s1);
             NodeProcess secondary2 = secondary("quorum-s2", s2);
             NodeProcess master = master("quorum-master", m, s1, s2)) {
            awaitWritable(m);
            Await.until("both Healthy", () -> {
                final JsonNode h = get(m, "/health");
                return "Healthy".equals(h.path("secondaries").get(0).path("status").asText())
                    && "Healthy".equals(h.path("secondaries").get(1).path("status").asText());
            });
            assertEquals(1, msgId(post(m, "{\"message\": \"before\", \"w\": 3}")));

            secondary1.kill();
            Await.until("secondary 1 Suspected or Unhealthy", () -> !"Healthy".equals(
                get(m, "/health").path("secondaries").get(0).path("status").asText()));
            Await.until("secondary 1 Unhealthy", () -> "Unhealthy".equals(
                get(m, "/health").path("secondaries").get(0).path("status").asText()));
            assertFalse(get(m, "/health").path("read_only").asBoolean(), "2 of 3 is still a quorum");
            assertEquals(2, msgId(post(m, "{\"message\": \"one-down\", \"w\": 2}")));

            secondary2.kill();
            final long killed = System.nanoTime();
            Await.until("read-only", () -> get(m, "/health").path("read_only").asBoolean());
            final long tookMs = (System.nanoTime() - killed) / 1_000_000;
            final HttpResponse<String> refused = post(m, "{\"message\": \"no-quorum\"}");
            assertEquals(503, refused.statusCode());
            assertTrue(refused.body().contains("read-only: no quorum"), refused.body());
            assertEquals(List.of("before", "one-down"), messages(m), "reads still work");
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", m.port)) {
                final Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> client.append("binary", 1).join());
                assertTrue(e.getCause().toString().contains("READ_ONLY"), e.getCause().toString());
            }
            System.out.println("read-only " + tookMs + " ms after the second secondary died");

            secondary1.launch();
            Await.until("writable again", () -> !get(m, "/health").path("read_only").asBoolean(true));
            assertEquals(3, msgId(post(m, "{\"message\": \"quorum-back\", \"w\": 2}")));
            Await.until("restarted secondary caught up", () -> messages(s1).equals(
                List.of("before", "one-down", "quorum-back")));
        }
    }
}
