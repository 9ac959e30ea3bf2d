package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every message the master accepts must reach every secondary, on every size boundary: the largest accepted
 * message makes an APPEND_ENTRIES of exactly the frame limit (a tagged entry; a READ_OK with room to spare). Appended with w=3, so an answer proves both
 * secondaries stored it; read back from every node over the binary protocol and HTTP.
 */
class MessageSizeBoundaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Long enough for a loaded machine, short enough that a stuck replication fails the test, not CI. */
    private static final int W_TIMEOUT_MS = 20_000;

    @ParameterizedTest(name = "max-frame-bytes {0}")
    @ValueSource(ints = {1024, FrameHeader.DEFAULT_MAX_FRAME_LENGTH})
    void everyAcceptedSizeReplicatesAndOneByteMoreIsRefused(final int maxFrame) throws Exception {
        final int max = FrameHeader.maxPayload(maxFrame);
        try (LocalCluster cluster = LocalCluster.start(new LocalCluster.Settings("127.0.0.1", 0, 0, 2,
            List.of(0L), maxFrame));
             ReplogClient client = ClusterTestSupport.client(cluster.master())) {
            final List<byte[]> expected = new ArrayList<>();
            long seq = 0;
            for (final int size : new int[] {max - 1, max}) {
                final byte[] untagged = payload('u', size);
                assertEquals(expected.size() + 1, client.append(untagged, 3, W_TIMEOUT_MS)
                    .get(60, TimeUnit.SECONDS), "untagged message of " + size + " bytes");
                expected.add(untagged);
                final byte[] tagged = payload('t', size);
                assertEquals(expected.size() + 1, client.append(tagged, 3, W_TIMEOUT_MS, 77, ++seq)
                    .get(60, TimeUnit.SECONDS), "tagged message of " + size + " bytes");
                expected.add(tagged);
                final byte[] viaHttp = payload('h', size);
                final HttpResponse<String> ok = postAppend(cluster.master(), viaHttp);
                assertEquals(200, ok.statusCode(), "HTTP message of " + size + " bytes: " + ok.body());
                assertEquals(expected.size() + 1, JSON.readTree(ok.body()).path("msg_id").asLong());
                expected.add(viaHttp);
            }
            final CompletionException tooLarge = assertThrows(CompletionException.class,
                () -> Await.result(client.append(payload('x', max + 1), 1, 0)));
            assertEquals(ErrorCode.PAYLOAD_TOO_LARGE,
                assertInstanceOf(ReplogException.class, tooLarge.getCause()).code());
            assertEquals(413, postAppend(cluster.master(), payload('x', max + 1)).statusCode());

            for (final ReplogNode node : allNodes(cluster)) {
                final List<Message> read = ClusterTestSupport.messages(node);
                assertEquals(expected.size(), read.size(), node.role().name() + " holds every accepted message");
                for (int i = 0; i < expected.size(); i++) {
                    assertArrayEquals(expected.get(i), read.get(i).payload(), "msg " + (i + 1));
                }
                final JsonNode listed = JSON.readTree(get(node, "/messages?from=" + expected.size()));
                assertEquals(new String(expected.get(expected.size() - 1), StandardCharsets.UTF_8),
                    listed.get(0).path("message").asText());
            }
        }
    }

    private static List<ReplogNode> allNodes(final LocalCluster cluster) {
        final List<ReplogNode> nodes = new ArrayList<>(cluster.secondaries());
        nodes.add(0, cluster.master());
        return nodes;
    }

    private static byte[] payload(final char fill, final int size) {
        final byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) fill);
        return bytes;
    }

    private static HttpResponse<String> postAppend(final ReplogNode node, final byte[] message) throws Exception {
        final String body = "{\"message\":\"" + new String(message, StandardCharsets.UTF_8) + "\",\"w\":3,"
            + "\"timeout_ms\":" + W_TIMEOUT_MS + "}";
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/append"))
            .timeout(ClusterTestSupport.HTTP_TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static String get(final ReplogNode node, final String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
                .timeout(ClusterTestSupport.HTTP_TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }
}
