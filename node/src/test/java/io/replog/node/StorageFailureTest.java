package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.log.FailingDisk;
import io.replog.node.log.FlushPolicy;
import io.replog.node.server.EventLoops;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.replog.node.ClusterTestSupport.client;
import static io.replog.node.ClusterTestSupport.http;
import static io.replog.node.ClusterTestSupport.json;
import static io.replog.node.ClusterTestSupport.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The master's disk fails under it (an fsync returns EIO): appends waiting on that fsync are answered STORAGE_FAILED
 * at once (never a success, never left to time out), the master turns read-only and says why, and what it
 * acknowledged before is still served by it and its secondary.
 */
class StorageFailureTest {
    @TempDir
    Path dir;

    private EventLoops loops;
    private ReplogNode secondary;
    private ReplogNode master;

    @AfterEach
    void stop() {
        if (master != null) {
            master.close();
        }
        if (secondary != null) {
            secondary.close();
        }
        if (loops != null) {
            loops.close();
        }
    }

    @Test
    void aFailedFsyncAnswersTheAppendsWaitingOnItAndTurnsTheMasterReadOnly() throws Exception {
        loops = new EventLoops(2, "disk");
        secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0), loops);
        final FailingDisk disk = new FailingDisk();
        final NodeConfig config = new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .secondaries(List.of(new InetSocketAddress("127.0.0.1", secondary.port()))).dataDir(dir);
        master = ReplogNode.master(config, loops, disk.openMasterLog(dir, FlushPolicy.BATCH));
        ClusterTestSupport.awaitWritable(master);

        try (ReplogClient c = client(master)) {
            assertEquals(1L, c.append("a", 2).get(20, TimeUnit.SECONDS));
            assertEquals(2L, c.append("b", 2).get(20, TimeUnit.SECONDS));

            disk.failFsyncs();
            final CompletableFuture<Long> w1 = c.append("c", 1);
            final CompletableFuture<Long> w2 = c.append("d", 2);
            for (final CompletableFuture<Long> waiting : List.of(w1, w2)) {
                final ExecutionException e = assertThrows(ExecutionException.class,
                    () -> waiting.get(20, TimeUnit.SECONDS)); // answered, not left to time out
                final ReplogException refused = assertInstanceOf(ReplogException.class, e.getCause());
                assertTrue(refused.code() == ErrorCode.STORAGE_FAILED || refused.code() == ErrorCode.READ_ONLY,
                    refused.toString());
            }
            final ReplogException stored = assertInstanceOf(ReplogException.class, assertThrows(
                ExecutionException.class, () -> w1.get()).getCause());
            assertEquals(ErrorCode.STORAGE_FAILED, stored.code(), stored.toString()); // it was written before the fsync
            assertTrue(stored.getMessage().contains("could not be made durable"), stored.getMessage());

            final ExecutionException later = assertThrows(ExecutionException.class,
                () -> c.append("e", 1).get(20, TimeUnit.SECONDS));
            final ReplogException readOnly = assertInstanceOf(ReplogException.class, later.getCause());
            assertEquals(ErrorCode.READ_ONLY, readOnly.code(), readOnly.toString());
            assertTrue(readOnly.getMessage().contains("log on disk failed"), readOnly.getMessage());
        }
        final HttpResponse<String> post = http(master, "POST", "/append", "{\"message\":\"f\",\"w\":1}");
        assertEquals(503, post.statusCode(), post.body());
        assertTrue(post.body().contains("\"detail\""), post.body());

        final JsonNode health = json(master, "/health");
        assertTrue(health.get("read_only").asBoolean(), health.toString());
        assertTrue(health.get("storage_error").asText().contains("fsync failed"), health.toString());
        // written up to 4, durable (and served) up to 2: last_msg_id is what the log holds, in both modes
        assertEquals(2, health.get("durable_msg_id").asLong(), health.toString());
        assertEquals(2, health.get("readable_msg_id").asLong(), health.toString());

        // what was acknowledged is still served, on both nodes; what never became durable on the master is not served
        // there. The secondary may hold c and d (sent while the master wrote them): "found again when the master
        // restarts", never anything else, never another order
        assertEquals(List.of("a", "b"), texts(master));
        Await.until("the secondary holds a and b", () -> texts(secondary).size() >= 2);
        final List<String> onSecondary = texts(secondary);
        assertEquals(List.of("a", "b", "c", "d").subList(0, onSecondary.size()), onSecondary);
    }

    @Test
    void aSecondaryWhoseDiskFailedIsFailingAndNeverCountedWhileTheMasterGoesOn() throws Exception {
        loops = new EventLoops(2, "disk");
        final FailingDisk disk = new FailingDisk();
        secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0).dataDir(dir),
            loops, disk.openSecondaryLog(dir, FlushPolicy.BATCH));
        master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0).quorum(1)
            .secondaries(List.of(new InetSocketAddress("127.0.0.1", secondary.port()))), loops);
        try (ReplogClient c = client(master)) {
            assertEquals(1L, c.append("a", 2).get(20, TimeUnit.SECONDS));
            disk.failFsyncs();
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.append("b".getBytes(java.nio.charset.StandardCharsets.UTF_8), 2, 1_000).get(20,
                    TimeUnit.SECONDS));
            final ReplogException timedOut = assertInstanceOf(ReplogException.class, e.getCause());
            assertEquals(ErrorCode.TIMEOUT, timedOut.code(), timedOut.toString()); // never counted: 1 copy only
            assertTrue(timedOut.getMessage().contains("Got only 1"), timedOut.getMessage());
            assertEquals(3L, c.append("c", 1).get(20, TimeUnit.SECONDS)); // the master goes on
        }
        Await.until("the master sees the secondary Failing because of its disk", () -> {
            final JsonNode s = json(master, "/health").get("peers").get(0);
            return s.get("status").asText().equals("Failing") && s.get("reason").asText().contains("disk failed");
        });
        final JsonNode health = json(secondary, "/health");
        assertTrue(health.get("storage_error").asText().contains("fsync failed"), health.toString());
        // answered, not held (a node that keeps no acknowledgements waiting for its disk reports none)
        assertEquals(0, health.path("acks_waiting_for_disk").asLong(0), health.toString());
        assertEquals("a", texts(secondary).get(0));
    }
}
