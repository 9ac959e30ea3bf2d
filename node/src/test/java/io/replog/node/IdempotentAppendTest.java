package io.replog.node;

import io.netty.buffer.Unpooled;
import io.replog.protocol.Append;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static io.replog.node.ClusterTestSupport.client;
import static io.replog.node.ClusterTestSupport.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tagged appends re-sent after a dropped connection are stored once and answered with their first msg_id. */
class IdempotentAppendTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void resendingAfterADroppedConnectionStoresEachMessageOnce() throws Exception {
        final long clientId = 0x1234_5678L;
        final int count = 500;
        final Map<Long, Long> firstAnswers = new HashMap<>();
        // first attempt: pipeline everything and drop the connection before all answers are back
        final ReplogClient first = client(cluster.master());
        final List<CompletableFuture<Long>> answers = new ArrayList<>();
        for (int seq = 1; seq <= count; seq++) {
            answers.add(first.append(bytes("tagged-" + seq), 2, 0, clientId, seq));
        }
        first.channel().close().sync(); // like a network cut: some appends were stored, some answers are lost
        for (int i = 0; i < count; i++) {
            try {
                firstAnswers.put((long) i + 1, answers.get(i).join());
            } catch (CompletionException lost) {
                assertEquals(ReplogException.CONNECTION_LOST, ((ReplogException) lost.getCause()).code());
            }
        }
        first.close();
        // the retry: everything again, same (client_id, seq)
        try (ReplogClient retry = client(cluster.master())) {
            final List<CompletableFuture<Long>> again = new ArrayList<>();
            for (int seq = 1; seq <= count; seq++) {
                again.add(retry.append(bytes("tagged-" + seq), 2, 0, clientId, seq));
            }
            for (int i = 0; i < count; i++) {
                final long id = again.get(i).join();
                final Long before = firstAnswers.get((long) i + 1);
                if (before != null) {
                    assertEquals(before, id, "a re-sent append gets its first msg_id");
                }
            }
        }
        final long last = cluster.master().role().log().lastId();
        for (final ReplogNode s : cluster.secondaries()) {
            Await.until("secondary caught up", () -> s.role().log().lastId() == last);
        }
        for (final ReplogNode node : List.of(cluster.master(), cluster.secondaries().get(0))) {
            final Map<String, Integer> seen = new HashMap<>();
            for (final Message m : messages(node)) {
                if (m.text().startsWith("tagged-")) {
                    seen.merge(m.text(), 1, Integer::sum);
                }
            }
            assertEquals(count, seen.size(), "every message stored");
            seen.forEach((text, n) -> assertEquals(1, n, text + " stored once"));
        }
    }

    @Test
    void aDuplicateIsAnsweredOnlyOnceItsWriteConcernIsMet() {
        try (ReplogClient c = client(cluster.master())) {
            final long id = c.append(bytes("dup-w1"), 1, 0, 99, 1).join();
            assertEquals(id, c.append(bytes("dup-w1"), 3, 0, 99, 1).join(), "same msg_id, now with w=3");
            assertTrue(cluster.secondaries().stream().allMatch(s -> s.role().log().lastId() >= id),
                "answered only once both secondaries hold it");
        }
    }

    @Test
    void aTaggedAppendMustCarryAValidTag() {
        try (ReplogClient c = client(cluster.master())) {
            final CompletionException e = assertThrows(CompletionException.class, () -> c.send(new Append(
                c.nextRequestId(), 1, 0, 5, 0, Unpooled.wrappedBuffer(bytes("seq 0")))).join());
            assertEquals(ErrorCode.MALFORMED_FRAME, ((ReplogException) e.getCause()).code());
            Await.until("a framing error closes the connection", () -> !c.isConnected());
        }
    }
}
