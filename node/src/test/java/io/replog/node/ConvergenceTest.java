package io.replog.node;

import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many clients appending in parallel with mixed w: every node ends with the same log, each message once. */
class ConvergenceTest {
    static final int CLIENTS = 8;
    static final int PER_CLIENT = 1_500;

    /** A cluster of its own for each test: the logs are compared whole. */
    @RegisterExtension
    final ClusterExtension cluster = ClusterExtension.of(LocalCluster.Settings.ephemeral(2, 0L, 50L));

    @Test
    void concurrentClientsWithMixedWEndWithIdenticalLogsOnAllNodes() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        final Set<Long> ids = ConcurrentHashMap.newKeySet();
        final List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            final int clientNo = c;
            done.add(pool.submit(() -> {
                final Random random = new Random(clientNo);
                try (ReplogClient client = cluster.client(cluster.master())) {
                    final List<CompletableFuture<Long>> answers = new ArrayList<>();
                    for (int i = 0; i < PER_CLIENT; i++) {
                        answers.add(client.append("c" + clientNo + "-" + i, 1 + random.nextInt(3)));
                        if (answers.size() % 256 == 0) {
                            Await.result(answers.get(answers.size() - 256)); // keep the pipeline bounded
                        }
                    }
                    answers.forEach(a -> assertTrue(ids.add(Await.result(a)), "msg_ids are unique"));
                }
                return null;
            }));
        }
        for (final Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        final int total = CLIENTS * PER_CLIENT;
        assertEquals(total, ids.size());
        for (final ReplogNode s : cluster.secondaries()) {
            Await.until("secondary " + s.port() + " has all " + total, () -> s.role().log().lastId() == total);
        }
        final List<Message> onMaster = cluster.messages(cluster.master());
        assertEquals(total, onMaster.size());
        final Set<String> distinct = new HashSet<>();
        for (int i = 0; i < total; i++) {
            assertEquals(i + 1, onMaster.get(i).msgId(), "no gaps");
            assertTrue(distinct.add(onMaster.get(i).text()), "each message exactly once");
        }
        for (final ReplogNode s : cluster.secondaries()) {
            final List<Message> onSecondary = cluster.messages(s);
            assertEquals(total, onSecondary.size());
            for (int i = 0; i < total; i++) {
                assertEquals(onMaster.get(i).text(), onSecondary.get(i).text(), "same order at msg_id " + (i + 1));
            }
        }
    }
}
