package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.status.NodeStatus;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Small helpers shared by the cluster tests. */
final class ClusterTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Bounds every HTTP exchange of a test: a lost answer fails the test instead of hanging it. */
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(60);

    private ClusterTestSupport() {
    }

    /** Waits until {@code node} is the master and takes appends, whichever stack runs it (read from its status). */
    static void awaitWritable(final ReplogNode node) {
        awaitWritable(node, Await.DEFAULT);
    }

    static void awaitWritable(final ReplogNode node, final Duration within) {
        Await.until("node on " + node.port() + " takes appends", within, () -> {
            final NodeStatus status = node.role().status();
            return status.isMaster() && !status.readOnly();
        });
    }

    static ReplogClient client(final ReplogNode node) {
        return ReplogClient.connect("127.0.0.1", node.port());
    }

    /** Every message of {@code node}, read over the binary protocol. */
    static List<Message> messages(final ReplogNode node) {
        try (ReplogClient c = client(node)) {
            return c.readAll();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + node.role().name() + " on " + node.port(), e);
        }
    }

    static List<String> texts(final ReplogNode node) {
        return messages(node).stream().map(Message::text).toList();
    }

    /** One HTTP exchange with {@code node}; {@code body} null for none. */
    static HttpResponse<String> http(final ReplogNode node, final String method, final String path,
                                     final String body) {
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
            .timeout(HTTP_TIMEOUT)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body))
            .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " on " + node.role().name() + " failed", e);
        }
    }

    /** {@code GET path} parsed as JSON. */
    static JsonNode json(final ReplogNode node, final String path) {
        final HttpResponse<String> response = http(node, "GET", path, null);
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("GET " + path + ": not JSON: " + response.body(), e);
        }
    }
}
