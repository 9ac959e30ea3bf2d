package io.replog.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM to a master process: a client waiting for its write concern gets a 503 with a detail, not a reset. */
class ShutdownSignalTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void sigtermAnswersTheWaitingAppendsThenExitsCleanly() throws Exception {
        final java.net.Socket nobody = NodeProcess.reservePort(); // bound, never listening: a secondary that is down
        final NodeProcess master = NodeProcess.start("sigterm-master", "master", "--bind", "127.0.0.1",
            "--secondaries", "127.0.0.1:" + nobody.getLocalPort(), "--quorum", "1");
        final int http = master.httpPort();
        try {
            final CompletableFuture<HttpResponse<String>> waiting = HTTP.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http + "/append"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"waits\", \"w\": 2}")).build(),
                HttpResponse.BodyHandlers.ofString());
            Await.until("the append waits for its secondary", () -> {
                try {
                    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                        + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .path("pending_appends").asInt() == 1;
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(0, master.terminate(), "a clean exit on SIGTERM");
            final HttpResponse<String> answer = waiting.get(30, TimeUnit.SECONDS);
            assertEquals(503, answer.statusCode(), answer.body());
            final String detail = JSON.readTree(answer.body()).path("detail").asText();
            assertTrue(detail.startsWith("the master is shutting down") && detail.contains("msg_id 1"), detail);
        } finally {
            master.close();
            nobody.close();
        }
    }
}
