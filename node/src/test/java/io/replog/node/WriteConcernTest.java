package io.replog.node;

import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import static io.replog.node.ClusterTestSupport.client;
import static io.replog.node.ClusterTestSupport.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Write concern against real nodes on loopback: a master, a prompt secondary and one that holds every replication
 * request {@value #DELAY_MS} ms. What a node holds is read from its log the moment the client's future completes,
 * so the assertions do not depend on timing (the delay only has to outlast a scheduling hiccup).
 */
class WriteConcernTest {
    static final long DELAY_MS = 4_000;

    private static LocalCluster cluster;
    private static ReplogNode prompt;
    private static ReplogNode delayed;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2, 0L, DELAY_MS));
        prompt = cluster.secondaries().get(0);
        delayed = cluster.secondaries().get(1);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** Appends and records how many secondaries held the message when the answer arrived. */
    private static long[] appendAndCount(final ReplogClient client, final String text, final int w) {
        final AtomicLong holders = new AtomicLong(-1);
        final long id = client.append(text, w).thenApply(msgId -> {
            // runs on the client's event loop as soon as the answer is decoded
            long n = 0;
            for (final ReplogNode s : cluster.secondaries()) {
                if (s.role().log().lastId() >= msgId) {
                    n++;
                }
            }
            holders.set(n);
            return msgId;
        }).join();
        return new long[] {id, holders.get()};
    }

    @Test
    void w1AnswersBeforeTheDelayedSecondaryHasItWhichShowsItLater() {
        try (ReplogClient client = client(cluster.master())) {
            final long[] result = appendAndCount(client, "inconsistency-window", 1);
            final long id = result[0];
            assertTrue(delayed.role().log().lastId() < id, "the delayed secondary must not have it yet");
            assertTrue(cluster.master().role().log().lastId() >= id, "the master has it");
            // eventual consistency: the delayed secondary shows it later, at the same msg_id
            Await.until("delayed secondary has msg " + id, () -> delayed.role().log().lastId() >= id);
            final List<Message> onDelayed = ClusterTestSupport.messages(delayed);
            assertEquals("inconsistency-window", onDelayed.get((int) id - 1).text());
        }
    }

    @Test
    void w2AnswersOnlyOnceOneSecondaryHasIt() {
        try (ReplogClient client = client(cluster.master())) {
            final long[] result = appendAndCount(client, "two-copies", 2);
            assertTrue(result[1] >= 1, "w=2 answered with " + result[1] + " secondary copies");
        }
    }

    @Test
    void w3AnswersOnlyOnceBothSecondariesHaveIt() {
        try (ReplogClient client = client(cluster.master())) {
            final long start = System.nanoTime();
            final long[] result = appendAndCount(client, "three-copies", 3);
            assertEquals(2, result[1], "w=3 must wait for both secondaries, the delayed one too");
            assertTrue(System.nanoTime() - start >= DELAY_MS * 1_000_000L, "it waited for the delayed secondary");
        }
    }

    @Test
    void w3WaitingDoesNotDelayW1AppendsOrReadsOnTheSameConnection() {
        try (ReplogClient client = client(cluster.master())) {
            final CompletableFuture<Long> slow = client.append("slow-w3", 3);
            final long fast = client.append("fast-w1", 1).join();
            client.read(1, 10).join();
            assertTrue(!slow.isDone(), "the w=3 append is still waiting for the delayed secondary");
            assertTrue(fast > 0);
            assertTrue(slow.join() < fast, "ids follow arrival order");
        }
    }

    @Test
    void wOutOfRangeIsRefusedWithAClearError() {
        try (ReplogClient client = client(cluster.master())) {
            for (final int w : new int[] {0, 4, 255}) {
                final CompletionException e = assertThrows(CompletionException.class,
                    () -> client.append("bad-w", w).join());
                final ReplogException r = assertInstanceOf(ReplogException.class, e.getCause());
                assertEquals(ErrorCode.INVALID_REQUEST, r.code());
                assertTrue(r.getMessage().contains("between 1 and 3"), r.getMessage());
            }
            assertTrue(client.append("still-served", 1).join() > 0, "the connection stays usable");
        }
    }

    @Test
    void secondaryRefusesAppends() {
        try (ReplogClient client = client(prompt)) {
            final CompletionException e = assertThrows(CompletionException.class,
                () -> client.append("to-a-secondary", 1).join());
            assertEquals(ErrorCode.NOT_MASTER, ((ReplogException) e.getCause()).code());
        }
        assertTrue(!texts(prompt).contains("to-a-secondary"));
    }
}
