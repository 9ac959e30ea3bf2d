package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.config.NodeConfig;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A log at its size limit refuses appends (master) or deliveries (secondary) with a clear error, and serves reads. */
class LogLimitTest {
    @Test
    void aFullLogRefusesAppendsWithStorageFullAndStillServesReads() throws Exception {
        // 10 entries of 100 bytes (+4 bytes of framing each) fit in 1,040 bytes
        try (ReplogNode master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .maxLogBytes(1_040), null);
             ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
            final byte[] hundred = new byte[100];
            for (int i = 1; i <= 10; i++) {
                assertEquals(i, Await.result(client.append(hundred, 1, 0)));
            }
            final CompletionException e = assertThrows(CompletionException.class,
                () -> Await.result(client.append(hundred, 1, 0)));
            final ReplogException r = (ReplogException) e.getCause();
            assertEquals(ErrorCode.STORAGE_FULL, r.code());
            assertTrue(r.getMessage().contains("full"), r.getMessage());

            final HttpResponse<String> http = ClusterTestSupport.http(master, "POST", "/append",
                "{\"message\": \"" + "x".repeat(100) + "\"}");
            assertEquals(507, http.statusCode());
            assertTrue(http.body().contains("the log is full"), http.body());

            assertEquals(10, client.readAll().size(), "reads keep working");
            assertEquals(10, master.role().log().lastId(), "nothing refused was stored");
        }
    }

    /**
     * A secondary whose log is full stays up: it refuses each delivery with REPLICATION_FAILED "the log is full"
     * (the master shows it Failing with that reason and goes on with the other secondary), serves what it holds, and
     * keeps following its master (it hears its heartbeats; it is not a node whose storage failed).
     */
    @Test
    void aSecondaryWhoseLogIsFullRefusesDeliveriesStaysUpAndServesReads() throws Exception {
        // 10 entries of 100 bytes (+4 bytes of framing each) fit in 1,040 bytes
        try (ReplogNode full = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .maxLogBytes(1_040), null);
             ReplogNode fine = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0), null);
             ReplogNode master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
                 .secondaries(List.of(new InetSocketAddress("127.0.0.1", full.port()),
                     new InetSocketAddress("127.0.0.1", fine.port())))
                 .heartbeatMs(50).suspectAfterMs(300).unhealthyAfterMs(600).retryCapMs(100), null);
             ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
            ClusterTestSupport.awaitWritable(master);
            final byte[] hundred = new byte[100];
            for (int i = 1; i <= 15; i++) {
                assertEquals(i, Await.result(client.append(hundred, 2, 0)), "the other secondary makes w=2");
            }
            Await.until("the master shows the full secondary Failing", () -> {
                final JsonNode peer = peerOnMaster(master, full);
                return "Failing".equals(peer.path("status").asText())
                    && peer.path("reason").asText().contains("REPLICATION_FAILED: the log is full");
            });
            // a delivery is stored whole or not at all: a batch that does not fit is refused whole, so it holds
            // at most the 10 that fit (fewer when the master sent it several at once)
            Await.until("the full secondary serves what it holds", () -> full.role().log().lastId() > 0
                && full.role().readableId() == full.role().log().lastId());
            final long held = full.role().log().lastId();
            assertTrue(held <= 10, "it holds " + held);
            try (ReplogClient reader = ReplogClient.connect("127.0.0.1", full.port())) {
                assertEquals(held, reader.readAll().size(), "reads keep working");
            }
            assertEquals(15, fine.role().log().lastId(), "the other secondary has everything");
            assertNull(full.role().status().storageError(), "a full log is not a failed disk");
            // still following: its master's heartbeats (every 50 ms) keep reaching it, well after it filled up
            final long since = System.nanoTime();
            Await.until("the full secondary hears its master a second after it filled up", () -> {
                final long seen = ClusterTestSupport.json(full, "/health").path("master_last_seen_ms_ago").asLong(-1);
                return System.nanoTime() - since > Duration.ofSeconds(1).toNanos() && seen >= 0 && seen < 500;
            });
            assertEquals("Failing", peerOnMaster(master, full).path("status").asText(), "it still refuses");
        }
    }

    /** The master's health entry for {@code secondary}. */
    private static JsonNode peerOnMaster(final ReplogNode master, final ReplogNode secondary) {
        final JsonNode health = ClusterTestSupport.json(master, "/health");
        for (final JsonNode peer : health.path("peers")) {
            if (peer.path("address").asText().endsWith(":" + secondary.port())) {
                return peer;
            }
        }
        throw new AssertionError("no peer on " + secondary.port() + " in " + health);
    }
}
