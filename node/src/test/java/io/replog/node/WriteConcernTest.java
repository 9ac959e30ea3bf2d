package io.replog.node;

import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Write concern against real nodes on loopback: a master, a prompt secondary that holds each replication request
 * {@value #PROMPT_MS} ms and a slow one that holds it {@value #DELAY_MS} ms. What a node holds is read from its log
 * the moment the client's future completes, so each w has one exact answer: w=1 no secondary yet, w=2 exactly the
 * prompt one, w=3 both. The delays only have to outlast a scheduling hiccup; the prompt one's makes a w=2 that
 * answered like w=1 fail every time instead of losing a race now and then.
 */
class WriteConcernTest {
    static final long PROMPT_MS = 500;
    static final long DELAY_MS = 4_000;

    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(
        LocalCluster.Settings.ephemeral(2, PROMPT_MS, DELAY_MS));

    private static ReplogNode prompt() {
        return cluster.secondary(0);
    }

    private static ReplogNode delayed() {
        return cluster.secondary(1);
    }

    /** An append and which secondaries held it when its answer arrived. */
    private record Answer(long msgId, boolean promptHeld, boolean delayedHeld) {
        int holders() {
            return (promptHeld ? 1 : 0) + (delayedHeld ? 1 : 0);
        }
    }

    private static Answer append(final ReplogClient client, final String text, final int w) {
        return Await.result(client.append(text, w).thenApply(msgId ->
            // runs on the client's event loop as soon as the answer is decoded
            new Answer(msgId, prompt().role().log().lastId() >= msgId, delayed().role().log().lastId() >= msgId)));
    }

    @Test
    void w1AnswersBeforeAnySecondaryHasItWhichShowItLater() {
        try (ReplogClient client = cluster.client(cluster.master())) {
            final Answer answer = append(client, "inconsistency-window", 1);
            assertEquals(0, answer.holders(), "w=1 is answered once the master alone holds it");
            assertTrue(cluster.master().role().log().lastId() >= answer.msgId(), "the master has it");
            // eventual consistency: the delayed secondary shows it later, at the same msg_id
            Await.until("delayed secondary has msg " + answer.msgId(),
                () -> delayed().role().log().lastId() >= answer.msgId());
            final List<Message> onDelayed = cluster.messages(delayed());
            assertEquals("inconsistency-window", onDelayed.get((int) answer.msgId() - 1).text());
        }
    }

    @Test
    void w2AnswersOnceThePromptSecondaryHasItWithoutWaitingForTheDelayedOne() {
        try (ReplogClient client = cluster.client(cluster.master())) {
            final Answer answer = append(client, "two-copies", 2);
            assertTrue(answer.promptHeld(), "w=2: the prompt secondary held it when the answer came");
            assertFalse(answer.delayedHeld(), "w=2 must not wait for the delayed secondary");
        }
    }

    @Test
    void w3AnswersOnlyOnceBothSecondariesHaveIt() {
        try (ReplogClient client = cluster.client(cluster.master())) {
            final long start = System.nanoTime();
            final Answer answer = append(client, "three-copies", 3);
            assertEquals(2, answer.holders(), "w=3 must wait for both secondaries, the delayed one too");
            assertTrue(System.nanoTime() - start >= DELAY_MS * 1_000_000L, "it waited for the delayed secondary");
        }
    }

    @Test
    void w3WaitingDoesNotDelayW1AppendsOrReadsOnTheSameConnection() {
        try (ReplogClient client = cluster.client(cluster.master())) {
            final CompletableFuture<Long> slow = client.append("slow-w3", 3);
            final long fast = Await.result(client.append("fast-w1", 1));
            Await.result(client.read(1, 10));
            assertFalse(slow.isDone(), "the w=3 append is still waiting for the delayed secondary");
            assertTrue(fast > 0);
            assertTrue(Await.result(slow) < fast, "ids follow arrival order");
        }
    }

    @Test
    void wOutOfRangeIsRefusedWithAClearError() {
        try (ReplogClient client = cluster.client(cluster.master())) {
            for (final int w : new int[] {0, 4, 255}) {
                final CompletionException e = assertThrows(CompletionException.class,
                    () -> Await.result(client.append("bad-w", w)));
                final ReplogException r = assertInstanceOf(ReplogException.class, e.getCause());
                assertEquals(ErrorCode.INVALID_REQUEST, r.code());
                assertTrue(r.getMessage().contains("between 1 and 3"), r.getMessage());
            }
            assertTrue(Await.result(client.append("still-served", 1)) > 0, "the connection stays usable");
        }
    }

    @Test
    void secondaryRefusesAppends() {
        try (ReplogClient client = cluster.client(prompt())) {
            final CompletionException e = assertThrows(CompletionException.class,
                () -> Await.result(client.append("to-a-secondary", 1)));
            assertEquals(ErrorCode.NOT_MASTER, ((ReplogException) e.getCause()).code());
        }
        assertFalse(cluster.texts(prompt()).contains("to-a-secondary"));
    }
}
