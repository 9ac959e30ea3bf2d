package io.replog.node;

import io.replog.node.role.ReplicationHold;
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
 * Write concern against real nodes on loopback: a master and two secondaries whose replication each test holds and
 * releases ({@link ReplicationHold}), so "no secondary has it yet" is a state the test sets rather than a delay it
 * hopes outlasts a scheduling hiccup. What a node holds is read from its log the moment the client's future
 * completes, so each w has one exact answer: w=1 no secondary, w=2 exactly the one released, w=3 both. An append
 * that must not be answered yet is checked once later appends on the same connection were answered
 * ({@link #answeredSoFar}): had it been answered too early, its answer would have come first.
 */
class WriteConcernTest {
    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(LocalCluster.Settings.ephemeral(2));

    private static ReplogNode prompt() {
        return cluster.secondary(0);
    }

    private static ReplogNode delayed() {
        return cluster.secondary(1);
    }

    static ReplicationHold.Held hold(final ReplogNode secondary) {
        return secondary.role().holdReplication();
    }

    /** An append and which secondaries held it when its answer arrived. */
    private record Answer(long msgId, boolean promptHeld, boolean delayedHeld) {
        int holders() {
            return (promptHeld ? 1 : 0) + (delayedHeld ? 1 : 0);
        }
    }

    private static CompletableFuture<Answer> send(final ReplogClient client, final String text, final int w) {
        return client.append(text, w).thenApply(msgId ->
            // runs on the client's event loop as soon as the answer is decoded
            new Answer(msgId, prompt().role().log().lastId() >= msgId, delayed().role().log().lastId() >= msgId));
    }

    private static Answer append(final ReplogClient client, final String text, final int w) {
        return Await.result(send(client, text, w));
    }

    /**
     * Two w=1 appends, one after the other: whatever the master answered on this connection before the first was
     * answered (in the same group of answers, perhaps just after it) is in by the time the second's answer is.
     */
    private static void answeredSoFar(final ReplogClient client) {
        Await.result(client.append("sync", 1));
        Await.result(client.append("sync", 1));
    }

    @Test
    void w1AnswersBeforeAnySecondaryHasItWhichShowItLater() {
        try (ReplogClient client = cluster.client(cluster.master());
             ReplicationHold.Held promptHeld = hold(prompt());
             ReplicationHold.Held delayedHeld = hold(delayed())) {
            final Answer answer = append(client, "inconsistency-window", 1);
            assertEquals(0, answer.holders(), "w=1 is answered once the master alone holds it");
            assertTrue(cluster.master().role().log().lastId() >= answer.msgId(), "the master has it");
            promptHeld.release();
            delayedHeld.release();
            // eventual consistency: the delayed secondary shows it later, at the same msg_id
            // (what it serves: a secondary serves what it holds durably, a moment after it wrote it)
            Await.until("delayed secondary serves msg " + answer.msgId(),
                () -> cluster.messages(delayed()).size() >= answer.msgId());
            final List<Message> onDelayed = cluster.messages(delayed());
            assertEquals("inconsistency-window", onDelayed.get((int) answer.msgId() - 1).text());
        }
    }

    @Test
    void w2AnswersOnceThePromptSecondaryHasItWithoutWaitingForTheDelayedOne() {
        try (ReplogClient client = cluster.client(cluster.master());
             ReplicationHold.Held promptHeld = hold(prompt());
             ReplicationHold.Held delayedHeld = hold(delayed())) {
            final CompletableFuture<Answer> twoCopies = send(client, "two-copies", 2);
            answeredSoFar(client);
            assertFalse(twoCopies.isDone(), "w=2 is not answered while no secondary has it");
            promptHeld.release();
            final Answer answer = Await.result(twoCopies);
            assertTrue(answer.promptHeld(), "w=2: the prompt secondary held it when the answer came");
            assertFalse(answer.delayedHeld(), "w=2 must not wait for the delayed secondary");
        }
    }

    @Test
    void w3AnswersOnlyOnceBothSecondariesHaveIt() {
        try (ReplogClient client = cluster.client(cluster.master());
             ReplicationHold.Held promptHeld = hold(prompt());
             ReplicationHold.Held delayedHeld = hold(delayed())) {
            final CompletableFuture<Answer> threeCopies = send(client, "three-copies", 3);
            promptHeld.release();
            // answered once the prompt secondary's reply for both came back: a w=3 counted like a w=2 would be too
            final Answer twoCopies = append(client, "two-copies", 2);
            assertTrue(twoCopies.promptHeld());
            answeredSoFar(client);
            assertFalse(threeCopies.isDone(), "w=3 must wait for both secondaries, the delayed one too");
            delayedHeld.release();
            assertEquals(2, Await.result(threeCopies).holders(), "w=3 is answered once both secondaries have it");
        }
    }

    @Test
    void w3WaitingDoesNotDelayW1AppendsOrReadsOnTheSameConnection() {
        try (ReplogClient client = cluster.client(cluster.master());
             ReplicationHold.Held delayedHeld = hold(delayed())) {
            final CompletableFuture<Long> slow = client.append("slow-w3", 3);
            final long fast = Await.result(client.append("fast-w1", 1));
            Await.result(client.read(1, 10));
            assertFalse(slow.isDone(), "the w=3 append is still waiting for the delayed secondary");
            assertTrue(fast > 0);
            delayedHeld.release();
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
