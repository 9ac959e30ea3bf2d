package io.replog.node;

import io.netty.buffer.Unpooled;
import io.replog.node.role.ReplicationHold;
import io.replog.protocol.Append;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tagged appends re-sent after a dropped connection are stored once and answered with their first msg_id. The tests
 * hold one secondary's replication ({@link ReplicationHold}): a w=3 append is stored by the master at once but
 * answered only once it is released, which makes "stored, answer lost" happen on purpose and makes a duplicate that
 * waits for its w visibly different from one answered at once.
 */
class IdempotentAppendTest {
    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(LocalCluster.Settings.ephemeral(2));

    private static ReplicationHold.Held holdDelayed() {
        return WriteConcernTest.hold(cluster.secondary(1));
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** msg_id of every message of {@code node} whose text starts with {@code prefix}; fails on a duplicate. */
    private static Map<String, Long> idsByText(final ReplogNode node, final String prefix) {
        final Map<String, Long> ids = new HashMap<>();
        for (final Message m : cluster.messages(node)) {
            if (m.text().startsWith(prefix)) {
                final Long before = ids.put(m.text(), m.msgId());
                assertEquals(null, before, m.text() + " stored twice on " + node.role().name());
            }
        }
        return ids;
    }

    @Test
    void resendingAfterADroppedConnectionStoresEachMessageOnce() throws Exception {
        final long clientId = 0x1234_5678L;
        final int answeredFirst = 100; // w=1: answered before the cut
        final int count = 500;         // the rest w=3: stored, but unanswered while the delayed secondary is held
        try (ReplicationHold.Held held = holdDelayed()) {
            final ReplogNode master = cluster.master();
            final long before = master.role().log().lastId();
            final Map<Long, Long> firstAnswers = new HashMap<>();
            final ReplogClient first = cluster.client(master);
            final List<CompletableFuture<Long>> answers = new ArrayList<>();
            for (int seq = 1; seq <= count; seq++) {
                answers.add(first.append(bytes("tagged-" + seq), seq <= answeredFirst ? 1 : 3, 0, clientId, seq));
            }
            // what it serves (held durably), read below: a node serves what it wrote a moment later
            Await.until("the master stored all " + count, () -> master.role().readableId() >= before + count);
            for (int i = 0; i < answeredFirst; i++) {
                Await.result(answers.get(i));
            }
            // like a network cut: every append is stored, the w=3 answers are lost
            assertTrue(first.channel().close().await(30, TimeUnit.SECONDS));
            int storedButUnanswered = 0;
            for (int i = 0; i < count; i++) {
                try {
                    firstAnswers.put((long) i + 1, Await.result(answers.get(i)));
                } catch (CompletionException lost) {
                    assertEquals(ReplogException.CONNECTION_LOST, ((ReplogException) lost.getCause()).code());
                    storedButUnanswered++;
                }
            }
            first.close();
            final Map<String, Long> stored = idsByText(master, "tagged-");
            assertEquals(count, stored.size(), "the master stored every one before the cut");
            // the case under test: every w=3 append
            assertEquals(count - answeredFirst, storedButUnanswered,
                "every w=3 append was stored with its answer lost");

            // the retry: everything again, same (client_id, seq); w=2 is met by the prompt secondary
            try (ReplogClient retry = cluster.client(master)) {
                final List<CompletableFuture<Long>> again = new ArrayList<>();
                for (int seq = 1; seq <= count; seq++) {
                    again.add(retry.append(bytes("tagged-" + seq), 2, 0, clientId, seq));
                }
                for (int i = 0; i < count; i++) {
                    final long id = Await.result(again.get(i));
                    assertEquals(stored.get("tagged-" + (i + 1)), id,
                        "a re-sent append gets the msg_id it was stored at");
                    final Long answered = firstAnswers.get((long) i + 1);
                    if (answered != null) {
                        assertEquals(answered, id, "a re-sent append gets its first msg_id");
                    }
                }
            }
            final long last = master.role().log().lastId();
            assertEquals(before + count, last, "nothing stored twice");
            held.release();
            for (final ReplogNode s : cluster.secondaries()) {
                Await.until("secondary caught up", () -> s.role().readableId() == last);
            }
            for (final ReplogNode node : cluster.nodes()) {
                assertEquals(stored, idsByText(node, "tagged-"), "every message once, at the same msg_id");
            }
        }
    }

    @Test
    void aDuplicateIsAnsweredOnlyOnceItsWriteConcernIsMet() {
        final ReplogNode delayed = cluster.secondary(1);
        try (ReplogClient c = cluster.client(cluster.master());
             ReplicationHold.Held held = holdDelayed()) {
            final long id = Await.result(c.append(bytes("dup-w1"), 1, 0, 99, 1));
            assertTrue(delayed.role().log().lastId() < id, "the delayed secondary does not hold it yet");
            final AtomicLong holdersAtAnswer = new AtomicLong(-1);
            final CompletableFuture<Long> duplicate = c.append(bytes("dup-w1"), 3, 0, 99, 1).thenApply(msgId -> {
                // on the client's event loop as soon as the answer is decoded
                holdersAtAnswer.set(cluster.secondaries().stream().filter(s -> s.role().log().lastId() >= msgId)
                    .count());
                return msgId;
            });
            // answered after it: a duplicate answered at once, without its w=3, would have come first
            Await.result(c.append("later", 1));
            Await.result(c.append("later", 1));
            assertFalse(duplicate.isDone(), "a w=3 duplicate waits for the delayed secondary like the original");
            held.release();
            assertEquals(id, Await.result(duplicate), "same msg_id, now with w=3");
            assertEquals(2, holdersAtAnswer.get(), "answered only once both secondaries hold it, the delayed one too");
            assertEquals(1, idsByText(cluster.master(), "dup-w1").size(), "stored once");
        }
    }

    @Test
    void aTaggedAppendMustCarryAValidTag() {
        try (ReplogClient c = cluster.client(cluster.master())) {
            final CompletionException e = assertThrows(CompletionException.class, () -> Await.result(c.send(
                new Append(c.nextRequestId(), 1, 0, 5, 0, Unpooled.wrappedBuffer(bytes("seq 0"))))));
            assertEquals(ErrorCode.MALFORMED_FRAME, ((ReplogException) e.getCause()).code());
            Await.until("a framing error closes the connection", () -> !c.isConnected());
        }
    }
}
