package io.replog.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --delay-ms}, {@code --fail-rate} and {@code --drop-rate} on failover nodes: a delayed follower holds up the
 * appends that need it and only those, and a cluster whose followers refuse and lose replication requests at random
 * still ends with one log on every node. The nodes' own counters prove the faults struck.
 */
class FailoverFaultInjectionTest {
    private static final int SLOW = 3;
    private static final long DELAY_MS = 2_000;
    /**
     * The slow node's: it asks for votes only long after the others would, so one of them wins the first election
     * and the slow node follows (a delay acts on a follower only).
     */
    private static final ReplicaSettings PATIENT = new ReplicaSettings(5_000, 6_000, 100, 1024, 10_000);
    /**
     * Slower than {@link FailoverNodes#SETTINGS}: on a loaded 2-core machine a master that hears only the refusals of
     * its heartbeats for a while must not step down while the test counts on it.
     */
    private static final ReplicaSettings STEADY = new ReplicaSettings(1_500, 3_000, 100, 1024, 10_000);

    @Test
    void aDelayedFollowerHoldsUpW3AppendsButNotW2Ones() {
        try (FailoverNodes nodes = FailoverNodes.start((id, config) -> id == SLOW ? config.delayMs(DELAY_MS) : config,
            id -> id == SLOW ? PATIENT : FailoverNodes.SETTINGS)) {
            final int master = nodes.awaitMaster(SLOW);
            try (ReplogClient client = nodes.client(master)) {
                final long w2Started = System.nanoTime();
                final long fast = Await.result(client.append("fast", 2));
                final long w2Ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - w2Started);
                assertTrue(w2Ms < DELAY_MS, "w=2 waited for the delayed node: " + w2Ms + " ms");
                // the inconsistency window: the slow node does not hold it yet, and its master shows it behind
                assertTrue(nodes.node(SLOW).role().log().lastId() < fast, "node " + SLOW + " already holds " + fast);
                Await.until("the master shows node " + SLOW + " behind", Duration.ofMillis(DELAY_MS / 2),
                    () -> peer(nodes.json(master, "/health"), SLOW).path("lag").asLong() > 0);

                final long w3Started = System.nanoTime();
                final long slow = Await.result(client.append("slow", 3));
                final long w3Ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - w3Started);
                assertTrue(w3Ms >= DELAY_MS, "w=3 did not wait for the delay: " + w3Ms + " ms");
                assertTrue(nodes.node(SLOW).role().log().durableId() >= slow, "w=3 answered before node " + SLOW
                    + " held it");
            }
            assertEquals(DELAY_MS, nodes.json(SLOW, "/health").path("delay_ms").asLong());
            assertEquals(0, nodes.json(master, "/health").path("delay_ms").asLong());
        }
    }

    @Test
    void refusedAndDroppedReplicationIsResentUntilEveryNodeHoldsTheSameLog() {
        // on every node: the master is sent no entries, so only its followers' faults strike
        try (FailoverNodes nodes = FailoverNodes.start((id, config) -> config.failRate(0.3).dropRate(0.2),
            id -> STEADY)) {
            final int master = nodes.awaitMaster(0);
            final List<Integer> followers = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                if (id != master) {
                    followers.add(id);
                }
            }
            final Set<String> sent = new HashSet<>();
            try (ReplogClient client = nodes.client(master)) {
                final List<CompletableFuture<Long>> answers = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    sent.add("m" + i);
                    answers.add(client.append("m" + i, 3));
                }
                answers.forEach(Await::result); // every one met w=3: a failed answer throws
                // the faults must really have struck, both kinds on both followers: one append at a time (a request
                // each) until they have, else this test would prove nothing
                final long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
                int extra = 0;
                while (!struck(nodes, followers)) {
                    assertTrue(System.nanoTime() < deadline, "no fault injected after " + extra + " extra appends: "
                        + nodes.json(followers.get(0), "/health") + " " + nodes.json(followers.get(1), "/health"));
                    sent.add("extra" + extra);
                    Await.result(client.append("extra" + extra++, 3));
                }
            }
            Await.until("every node serves the same log", () -> {
                final JsonNode onMaster = nodes.json(master, "/messages?limit=100000");
                return onMaster.equals(nodes.json(followers.get(0), "/messages?limit=100000"))
                    && onMaster.equals(nodes.json(followers.get(1), "/messages?limit=100000"))
                    && texts(onMaster).containsAll(sent);
            });
            final List<String> texts = texts(nodes.json(master, "/messages?limit=100000"));
            texts.removeIf(String::isEmpty); // what the engine itself appends at each election
            assertEquals(sent.size(), texts.size(), "each message once: " + texts);
            assertEquals(sent, new HashSet<>(texts));
        }
    }

    private static boolean struck(final FailoverNodes nodes, final List<Integer> followers) {
        for (final int id : followers) {
            final JsonNode health = nodes.json(id, "/health");
            if (health.path("injected_failures").asLong() == 0 || health.path("injected_drops").asLong() == 0) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode peer(final JsonNode health, final int id) {
        for (final JsonNode peer : health.path("peers")) {
            if (peer.path("id").asInt() == id) {
                return peer;
            }
        }
        throw new AssertionError("no peer " + id + " in " + health);
    }

    private static List<String> texts(final JsonNode messages) {
        final List<String> texts = new ArrayList<>();
        messages.forEach(m -> texts.add(m.path("message").asText()));
        return texts;
    }
}
