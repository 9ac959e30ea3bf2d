package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.replog.node.ClusterTestSupport.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secondaries that fail requests at random still end with the master's log: no gap, no duplicate, same order. The
 * secondaries' own counters prove the faults were injected: a run without them would prove nothing.
 */
class FailureInjectionTest {
    static final int CLIENTS = 6;
    static final int PER_CLIENT = 600;

    private static ReplogNode secondary(final EventLoops loops, final double failRate, final double dropRate) {
        return ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .failRate(failRate).dropRate(dropRate), loops);
    }

    private static ReplogNode master(final EventLoops loops, final InetSocketAddress... secondaries) {
        return ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .secondaries(List.of(secondaries)).heartbeatMs(100).suspectAfterMs(500).unhealthyAfterMs(2000)
            .retryCapMs(200), loops);
    }

    private static InetSocketAddress address(final ReplogNode node) {
        return new InetSocketAddress("127.0.0.1", node.port());
    }

    /** What the secondary's {@code /health} reports of its fault injection ({@code injected_failures}, …). */
    private static long injected(final ReplogNode secondary, final String field) {
        final JsonNode health = ClusterTestSupport.json(secondary, "/health");
        assertTrue(health.has(field), "a secondary with fault injection reports " + field + ": " + health);
        return health.path(field).asLong();
    }

    /**
     * The faults must really have struck, every kind: with batching, a 2% drop rate over a few hundred requests
     * may miss, so w=3 appends one at a time (an APPEND_ENTRIES each) follow until it has. Returns how many it took.
     */
    private static int appendUntilEveryFaultStruck(final ReplogNode master, final ReplogNode s1,
                                                   final ReplogNode s2) {
        int extra = 0;
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
            final long deadline = System.nanoTime() + Await.DEFAULT.toNanos();
            while (injected(s1, "injected_failures") == 0 || injected(s2, "injected_failures") == 0
                || injected(s2, "injected_drops") == 0) {
                assertTrue(System.nanoTime() < deadline, "no fault injected: failures " + injected(s1,
                    "injected_failures") + "/" + injected(s2, "injected_failures") + ", drops "
                    + injected(s2, "injected_drops") + " after " + extra + " extra appends");
                Await.result(client.append("extra-" + extra++, 3));
            }
        }
        return extra;
    }

    @Test
    void failRateAndDroppedConnectionsConvergeToIdenticalLogs() throws Exception {
        try (EventLoops loops = new EventLoops(2, "fault-test")) {
            final ReplogNode s1 = secondary(loops, 0.3, 0.0);
            final ReplogNode s2 = secondary(loops, 0.3, 0.02);
            final ReplogNode master = master(loops, address(s1), address(s2));
            try {
                ClusterTestSupport.awaitWritable(master);
                final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
                final List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    final int clientNo = c;
                    done.add(pool.submit(() -> {
                        final Random random = new Random(clientNo);
                        try (ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
                            final List<CompletableFuture<Long>> answers = new ArrayList<>();
                            for (int i = 0; i < PER_CLIENT; i++) {
                                answers.add(client.append("f" + clientNo + "-" + i, 1 + random.nextInt(3)));
                            }
                            answers.forEach(Await::result);
                        }
                        return null;
                    }));
                }
                for (final Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
                pool.shutdown();
                final int extra = appendUntilEveryFaultStruck(master, s1, s2);
                final int total = CLIENTS * PER_CLIENT + extra;
                Await.until("both secondaries have all " + total, () -> s1.role().readableId() == total
                    && s2.role().readableId() == total); // served, not only written: read below
                final List<Message> onMaster = messages(master);
                assertEquals(total, onMaster.size());
                final Set<String> distinct = new HashSet<>();
                onMaster.forEach(m -> assertTrue(distinct.add(m.text()), "duplicate " + m.text()));
                for (final ReplogNode s : List.of(s1, s2)) {
                    final List<Message> copy = messages(s);
                    assertEquals(total, copy.size());
                    for (int i = 0; i < total; i++) {
                        assertEquals(i + 1, copy.get(i).msgId());
                        assertEquals(onMaster.get(i).text(), copy.get(i).text());
                    }
                }
            } finally {
                master.close();
                s1.close();
                s2.close();
            }
        }
    }

    @Test
    void aW3ClientBlockedByADeadSecondaryDoesNotSlowW1ClientsBesideIt() throws Exception {
        try (EventLoops loops = new EventLoops(2, "blocked-test");
             Socket dead = new Socket()) {
            // bound but never listening: connections are refused, and nobody else can take the port meanwhile
            dead.bind(new InetSocketAddress("127.0.0.1", 0));
            final ReplogNode alive = secondary(loops, 0, 0);
            final ReplogNode master = master(loops, address(alive), new InetSocketAddress("127.0.0.1",
                dead.getLocalPort()));
            try (ReplogClient blocked = ReplogClient.connect("127.0.0.1", master.port());
                 ReplogClient fast = ReplogClient.connect("127.0.0.1", master.port())) {
                ClusterTestSupport.awaitWritable(master);
                final List<CompletableFuture<Long>> waiting = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    waiting.add(blocked.append("w3-" + i, 3));
                }
                for (int i = 0; i < 2_000; i++) {
                    assertTrue(fast.append("w1-" + i, i % 2 == 0 ? 1 : 2).get(30, TimeUnit.SECONDS) > 0);
                }
                assertEquals(5, Await.result(fast.read(1, 5)).messages().size(), "reads are served too");
                waiting.forEach(w -> assertFalse(w.isDone(), "w=3 cannot complete while a secondary is down"));
                // the waiting client gives up on its own terms: its timeout answers, the messages stay
                final CompletionException timeout = assertThrows(CompletionException.class,
                    () -> Await.result(blocked.append("w3-timeout".getBytes(), 3, 200)));
                assertTrue(timeout.getCause().getMessage().contains("Got only 2 ACKs (required 3)"),
                    timeout.getCause().getMessage());
                final HttpResponse<String> http = ClusterTestSupport.http(master, "POST", "/append",
                    "{\"message\": \"http-timeout\", \"w\": 3, \"timeout_ms\": 200}");
                assertEquals(504, http.statusCode());
                assertEquals("{\"detail\":\"Got only 2 ACKs (required 3)\"}", http.body().trim());
                assertTrue(ClusterTestSupport.texts(master).contains("http-timeout"), "it stays in the log");
                Await.until("the live secondary has everything, the timed-out ones too",
                    () -> alive.role().log().lastId() == 2_102);
            } finally {
                master.close();
                alive.close();
            }
        }
    }
}
