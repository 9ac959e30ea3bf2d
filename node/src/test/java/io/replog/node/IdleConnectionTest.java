package io.replog.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.replog.node.config.NodeConfig;
import io.replog.node.http.RawHttp;
import io.replog.node.server.EventLoops;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --idle-timeout-ms}: a connection with nothing read or written for that long and nothing waiting is
 * closed, on both ports; a client waiting for its write concern is not idle, and neither is the master's
 * replication link to a secondary, even when heartbeats are rarer than the timeout.
 */
class IdleConnectionTest {
    private static final long IDLE_MS = 300;
    /** The secondary holds each replication request this long: a w=2 append waits for it. */
    private static final long SLOW_MS = 1_500;
    /** Heartbeats rarer than the idle timeout: the replication link is quiet for longer than it. */
    private static final long HEARTBEAT_MS = 1_000;

    private static EventLoops loops;
    private static ReplogNode secondary;
    private static ReplogNode master;

    @BeforeAll
    static void start() {
        loops = new EventLoops(2, "idle-test");
        secondary = ReplogNode.secondary(config().delayMs(SLOW_MS), loops);
        master = ReplogNode.master(config().heartbeatMs(HEARTBEAT_MS).suspectAfterMs(3 * HEARTBEAT_MS)
            .unhealthyAfterMs(6 * HEARTBEAT_MS).secondaries(List.of(new InetSocketAddress("127.0.0.1",
                secondary.port()))), loops);
        Await.until("the master is writable", () -> !master.role().status().readOnly());
    }

    private static NodeConfig config() {
        return new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0).idleTimeoutMs(IDLE_MS);
    }

    @AfterAll
    static void stop() {
        master.close();
        secondary.close();
        loops.close();
    }

    @Test
    void aQuietBinaryConnectionIsClosedAfterTheIdleTimeoutNotBefore() throws Exception {
        try (RawFrameSocket client = new RawFrameSocket(master.port())) {
            client.roundTrip(1);
            final long answered = System.nanoTime();
            assertTrue(client.closedByNode(), "the node closes the idle connection");
            final long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
            assertTrue(idleMs >= IDLE_MS / 2, "closed after " + idleMs + " ms, before the idle timeout");
        }
    }

    @Test
    void aKeptAliveHttpConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp http = new RawHttp(master.httpPort())) {
            http.send(RawHttp.get("/health"));
            assertEquals(200, http.read().status());
            assertTrue(http.atEof(), "the node closes the idle keep-alive connection");
        }
    }

    @Test
    void aClientWaitingForItsWriteConcernIsNotIdle() throws Exception {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", master.port());
             RawHttp http = new RawHttp(master.httpPort())) {
            // both wait ~SLOW_MS, several idle timeouts, at the same time
            http.send(RawHttp.post("/append", "{\"message\": \"http waits\", \"w\": 2}"));
            final var binary = client.append("binary waits".getBytes(StandardCharsets.UTF_8), 2, 0);
            final RawHttp.Response answer = http.read();
            assertEquals(200, answer.status(), answer.body());
            final long httpId = new ObjectMapper().readTree(answer.body()).path("msg_id").asLong();
            assertTrue(httpId > 0, answer.body());
            assertTrue(binary.get(30, TimeUnit.SECONDS) > 0);
        }
    }

    @Test
    void theMastersReplicationLinkIsNeverIdleEvenWithHeartbeatsRarerThanTheTimeout() {
        final Channel link = secondary.connections().stream().filter(Channel::isActive).findFirst()
            .orElseThrow(() -> new AssertionError("no replication link on the secondary"));
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * HEARTBEAT_MS);
        Await.until("three heartbeat periods pass with the link open", Duration.ofSeconds(30), () -> {
            assertTrue(link.isActive(), "the secondary closed the master's replication link as idle");
            return System.nanoTime() > until;
        });
    }
}
