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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's promises about health and the quorum, with real nodes on loopback and fast timings (heartbeat
 * 50 ms, Suspected after 300 ms, Unhealthy after 1500 ms: far enough apart that a loaded machine still shows
 * Suspected first).
 */
class QuorumPromisesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WITHIN = Duration.ofSeconds(10);

    private EventLoops loops;
    private final List<ReplogNode> nodes = new ArrayList<>();

    @BeforeEach
    void loops() {
        loops = new EventLoops(2, "quorum");
    }

    @AfterEach
    void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        loops.close();
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ReplogNode secondary(final int port) {
        final ReplogNode node = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(port).httpPort(0),
            loops);
        nodes.add(node);
        return node;
    }

    private ReplogNode master(final int quorum, final int... secondaryPorts) {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final int p : secondaryPorts) {
            addresses.add(new InetSocketAddress("127.0.0.1", p));
        }
        final ReplogNode node = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .secondaries(addresses).quorum(quorum).heartbeatMs(50).suspectAfterMs(300).unhealthyAfterMs(1_500)
            .retryCapMs(100), loops);
        nodes.add(node);
        return node;
    }

    private static JsonNode health(final ReplogNode node) {
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
                + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String status(final ReplogNode master, final int secondary) {
        return health(master).path("peers").get(secondary).path("status").asText();
    }

    private static short appendRefusal(final ReplogNode master) throws Exception {
        try (ReplogClient c = ClusterTestSupport.client(master)) {
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.append("x".getBytes(), 1, 0).get(10, TimeUnit.SECONDS));
            return assertInstanceOf(ReplogException.class, e.getCause()).code();
        }
    }

    @Test
    void readOnlyAtStartUntilAQuorumAnswersThenWritableByItself() throws Exception {
        final int s1 = unusedPort();
        final ReplogNode master = master(0, s1, unusedPort());
        assertTrue(health(master).path("read_only").asBoolean(), "no secondary has answered yet");
        assertEquals(ErrorCode.READ_ONLY, appendRefusal(master));
        secondary(s1);
        Await.until("writable once one of two secondaries answers (2 of 3)", WITHIN,
            () -> !health(master).path("read_only").asBoolean(true));
        try (ReplogClient c = ClusterTestSupport.client(master)) {
            assertEquals(1, c.append("now".getBytes(), 2, 0).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theQuorumFlagDecidesNotTheMajority() throws Exception {
        final ReplogNode alone = master(1, unusedPort(), unusedPort());
        assertFalse(health(alone).path("read_only").asBoolean(true), "--quorum 1: the master alone is enough");
        try (ReplogClient c = ClusterTestSupport.client(alone)) {
            assertEquals(1, c.append("alone".getBytes(), 1, 0).get(10, TimeUnit.SECONDS));
        }
        final ReplogNode live = secondary(0);
        final ReplogNode strict = master(3, live.port(), unusedPort());
        Await.until("the live secondary is Healthy", WITHIN, () -> "Healthy".equals(status(strict, 0)));
        assertTrue(health(strict).path("read_only").asBoolean(), "--quorum 3 with 2 of 3 up: read-only");
        assertEquals(3, health(strict).path("quorum").asInt());
        assertEquals(ErrorCode.READ_ONLY, appendRefusal(strict));
    }

    @Test
    void aMessageWhoseWaitTimedOutStillReachesTheSecondaryThatComesBack() throws Exception {
        final ReplogNode live = secondary(0);
        final int late = unusedPort();
        final ReplogNode master = master(0, live.port(), late);
        Await.until("writable", WITHIN, () -> !health(master).path("read_only").asBoolean(true));
        try (ReplogClient c = ClusterTestSupport.client(master)) {
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.append("timed out".getBytes(), 3, 300).get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.TIMEOUT, assertInstanceOf(ReplogException.class, e.getCause()).code());
        }
        final ReplogNode back = secondary(late);
        Await.until("the returning secondary receives it", WITHIN, () -> back.log().lastId() == 1);
        assertEquals(List.of("timed out"), ClusterTestSupport.texts(back));
    }

    @Test
    void aSilentSecondaryIsSuspectedThenUnhealthyAndTheSecondarySeesItsMasterGoQuiet() throws Exception {
        final ReplogNode secondary = secondary(0);
        final ReplogNode master = master(1, secondary.port());
        Await.until("Healthy", WITHIN, () -> "Healthy".equals(status(master, 0)));
        // heartbeats keep it fresh: the secondary hears from its idle master after any moment the test picks (its
        // "ms ago" is under the time since then, read before asking), without a bound on how soon
        final long picked = System.nanoTime();
        Await.until("the secondary hears from its master after the moment picked", WITHIN, () -> {
            final long sincePickedMs = (System.nanoTime() - picked) / 1_000_000;
            final long seenMsAgo = health(secondary).path("master_last_seen_ms_ago").asLong(-1);
            return seenMsAgo >= 0 && seenMsAgo < sincePickedMs;
        });
        secondary.close();
        Await.until("Suspected first", WITHIN, () -> "Suspected".equals(status(master, 0)));
        assertTrue(health(master).path("peers").get(0).path("reason").asText().startsWith("no answer for"));
        Await.until("then Unhealthy", WITHIN, () -> "Unhealthy".equals(status(master, 0)));

        final ReplogNode follower = secondary(0);
        final ReplogNode leader = master(1, follower.port());
        Await.until("the follower hears its master", WITHIN,
            () -> health(follower).path("master_last_seen_ms_ago").asLong(-1) >= 0);
        leader.close();
        Await.until("the master's silence shows on the follower", WITHIN,
            () -> health(follower).path("master_last_seen_ms_ago").asLong() >= 500);
    }
}
