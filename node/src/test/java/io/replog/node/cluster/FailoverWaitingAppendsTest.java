package io.replog.node.cluster;

import io.replog.node.consensus.ReplicaSettings;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failover master with one peer down: w=3 appends with a timeout are answered TIMEOUT and leave every structure,
 * so however many of them come (more than --max-pending-appends), later appends are not refused OVERLOADED.
 */
class FailoverWaitingAppendsTest {
    private static final int MAX_PENDING = 20;

    @Test
    void timedOutAppendsNoLongerCountTowardTheBoundOnWaitingAppends() throws Exception {
        // the bound set as `node --max-pending-appends` sets it; slow elections: with one peer stopped the master must
        // not step down when its one follower answers late on a loaded machine (it would answer NOT_MASTER)
        final ReplicaSettings settings = new ReplicaSettings(1_500, 3_000, 100, 1024, MAX_PENDING);
        try (FailoverNodes nodes = FailoverNodes.start(settings, config -> config.maxPendingAppends(MAX_PENDING))) {
            final int master = nodes.awaitMaster(0);
            nodes.stop(nodes.secondaryOf(master)); // w=3 is out of reach now; the master keeps its majority
            try (ReplogClient client = nodes.client(master)) {
                for (int round = 0; round < 3; round++) {
                    final List<CompletableFuture<Long>> answers = new ArrayList<>();
                    for (int i = 0; i < MAX_PENDING; i++) {
                        answers.add(client.append(("round " + round + " #" + i).getBytes(StandardCharsets.UTF_8), 3,
                            50));
                    }
                    for (final CompletableFuture<Long> answer : answers) {
                        final ReplogException refused = refusal(answer);
                        assertEquals(ErrorCode.TIMEOUT, refused.code(), "round " + round + ": " + refused);
                        assertTrue(refused.getMessage().matches("Got only [0-2] ACKs \\(required 3\\)"),
                            refused.getMessage());
                    }
                }
                Await.until("no append waiting on the master",
                    () -> nodes.json(master, "/health").path("pending_appends").asInt() == 0);
                assertTrue(client.append("w=1".getBytes(StandardCharsets.UTF_8), 1, 5_000).get(30, TimeUnit.SECONDS)
                    > 3L * MAX_PENDING);
                assertTrue(client.append("w=2".getBytes(StandardCharsets.UTF_8), 2, 5_000).get(30, TimeUnit.SECONDS)
                    > 3L * MAX_PENDING);
                Await.until("still none waiting", () -> nodes.json(master, "/health").path("pending_appends")
                    .asInt() == 0);
            }
        }
    }

    @Test
    void appendsOfAClientThatLeftNoLongerCountTowardTheBound() throws Exception {
        final ReplicaSettings settings = new ReplicaSettings(1_500, 3_000, 100, 1024, MAX_PENDING);
        try (FailoverNodes nodes = FailoverNodes.start(settings, config -> config.maxPendingAppends(MAX_PENDING))) {
            final int master = nodes.awaitMaster(0);
            nodes.stop(nodes.secondaryOf(master));
            try (ReplogClient leaving = nodes.client(master)) {
                for (int i = 0; i < MAX_PENDING; i++) {
                    leaving.append("no timeout #" + i, 3); // would wait until the peer is back
                }
                Await.until("the bound is reached", () -> nodes.json(master, "/health").path("pending_appends")
                    .asInt() == MAX_PENDING);
            }
            Await.until("the appends of the client that left are no longer waiting",
                () -> nodes.json(master, "/health").path("pending_appends").asInt() == 0);
            try (ReplogClient client = nodes.client(master)) {
                assertTrue(client.append("w=1", 1).get(30, TimeUnit.SECONDS) > MAX_PENDING);
            }
        }
    }

    private static ReplogException refusal(final CompletableFuture<Long> answer) {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ReplogException.class, e.getCause());
    }
}
