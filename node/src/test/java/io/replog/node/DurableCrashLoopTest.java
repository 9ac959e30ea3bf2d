package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.testing.Nightly;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The durable log under kill -9, in loops, with real processes: writers append concurrently with w=2 and w=3 while
 * the master, then a secondary, then every node at once is killed at a random moment and started again with the same
 * flags and data directory. Afterwards every acknowledged message is at its msg_id on every node, nothing is stored
 * twice, the three logs are identical, and msg_ids went on from where they were (an acknowledged id is never given to
 * another message). A process crash loses nothing written under any flush policy (the written bytes are in the OS's
 * page cache); what a machine crash may lose is the README's table. CI runs the loop under the default policy,
 * {@code batch}; the nightly build under the other two as well.
 */
class DurableCrashLoopTest {
    private static final int WRITERS = 2;
    /** Acknowledged appends between two kills, at least. */
    private static final int ACKS_PER_ROUND = 150;
    private static final String[] FAST_HEALTH = {"--heartbeat-ms", "100", "--suspect-after-ms", "400",
        "--unhealthy-after-ms", "1500", "--retry-cap-ms", "300"};

    /**
     * Answers after which a writer connects again and goes on: the master is gone or refused the connection, is
     * stopping, has no quorum yet, or the write concern was not met within the append's 5 s (a secondary is down).
     */
    private static final Set<Short> TRY_AGAIN = Set.of(ReplogException.CONNECTION_LOST, ErrorCode.SHUTTING_DOWN,
        ErrorCode.READ_ONLY, ErrorCode.TIMEOUT, ErrorCode.OVERLOADED);

    private final Map<Long, String> acknowledged = new ConcurrentHashMap<>();
    private final AtomicInteger duplicateIds = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    private volatile int masterPort;

    @Test
    void acknowledgedMessagesSurviveKillNineOfAnyNode() throws Exception {
        crashLoop(NodeConfig.DEFAULT_FLUSH);
    }

    @ParameterizedTest(name = "--flush {0}")
    @ValueSource(strings = {"interval:50", "never"})
    @Nightly
    void acknowledgedMessagesSurviveKillNineOfAnyNodeUnderTheOtherFlushPolicies(final String flush) throws Exception {
        crashLoop(flush);
    }

    private void crashLoop(final String flush) throws Exception {
        final Random random = new Random();
        final String tag = flush.replace(':', '-');
        try (NodeProcess s1 = NodeProcess.start("crash-" + tag + "-s1", "secondary", "--bind", "127.0.0.1",
                 "--flush", flush);
             NodeProcess s2 = NodeProcess.start("crash-" + tag + "-s2", "secondary", "--bind", "127.0.0.1",
                 "--flush", flush);
             NodeProcess master = startMaster("crash-" + tag + "-master", flush, s1, s2)) {
            masterPort = master.port();
            final List<Thread> writers = startWriters();
            try {
                for (int round = 0; round < 2; round++) {
                    awaitProgress(random);
                    master.restart();
                }
                awaitProgress(random);
                s1.restart();
                awaitProgress(random);
                s2.restart();
                awaitProgress(random);
                // every node at once: nothing acknowledged at w=2 or w=3 may be lost
                master.kill();
                s1.kill();
                s2.kill();
                s1.launch();
                s2.launch();
                master.launch();
                awaitProgress(random);
            } finally {
                stop.set(true);
                for (final Thread writer : writers) {
                    writer.join(TimeUnit.SECONDS.toMillis(30));
                }
            }
            noWriterFailed();
            assertEquals(0, duplicateIds.get(), "an acknowledged msg_id was given to a second message");
            verify(master, s1, s2);
        }
    }

    private static NodeProcess startMaster(final String name, final String flush, final NodeProcess... secondaries) {
        final List<String> args = new ArrayList<>(List.of("master", "--bind", "127.0.0.1", "--flush", flush,
            "--secondaries", secondaries[0].address() + "," + secondaries[1].address()));
        args.addAll(List.of(FAST_HEALTH));
        return NodeProcess.start(name, args.toArray(String[]::new));
    }

    /** Waits until the writers got {@link #ACKS_PER_ROUND} more answers, then a random moment more. */
    private void awaitProgress(final Random random) {
        final int target = acknowledged.size() + ACKS_PER_ROUND;
        Await.until("writers acknowledged " + target + " messages", Duration.ofSeconds(90),
            () -> noWriterFailed() && acknowledged.size() >= target);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(30)));
    }

    private List<Thread> startWriters() {
        final List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < WRITERS; k++) {
            final int writer = k;
            final Thread t = new Thread(() -> write(writer), "writer-" + k);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    /**
     * Appends distinct messages until stopped; a message whose answer is lost (the master died) is not sent again,
     * so every payload is sent once and may be stored at most once. Only answers that mean "try again" are taken
     * in stride ({@link #TRY_AGAIN}, or no answer in time); anything else stops the writer and fails the test.
     */
    private void write(final int writer) {
        try {
            writeUntilStopped(writer);
        } catch (Throwable t) {
            writerFailure.compareAndSet(null, new AssertionError("writer " + writer + " failed", t));
        }
    }

    private void writeUntilStopped(final int writer) throws InterruptedException {
        int seq = 0;
        while (!stop.get()) {
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", masterPort)) {
                while (!stop.get()) {
                    final String payload = "w" + writer + "-" + seq++;
                    final int w = seq % 2 == 0 ? 2 : 3;
                    final long id = client.append(payload.getBytes(StandardCharsets.UTF_8), w, 5_000)
                        .get(15, TimeUnit.SECONDS);
                    if (acknowledged.putIfAbsent(id, payload) != null) {
                        duplicateIds.incrementAndGet();
                    }
                }
            } catch (ExecutionException | ReplogException | TimeoutException e) {
                final Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (cause instanceof ReplogException r && !TRY_AGAIN.contains(r.code())
                    || !(cause instanceof ReplogException) && !(cause instanceof TimeoutException)) {
                    throw new AssertionError("an answer that does not mean \"try again\"", cause);
                }
                // the master is down, restarting or still read-only: try again shortly
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    /** Rethrows a writer's failure at once: the waits for progress would only time out on it. */
    private boolean noWriterFailed() {
        final Throwable failure = writerFailure.get();
        if (failure != null) {
            throw new AssertionError(failure.getMessage(), failure.getCause());
        }
        return true;
    }

    private void verify(final NodeProcess... nodes) throws Exception {
        final long highest = acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        final List<List<Message>> logs = new ArrayList<>();
        for (final NodeProcess node : nodes) {
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", node.port())) {
                Await.until(node + " holds msg_id " + highest, Duration.ofSeconds(60),
                    () -> lastId(client) >= highest);
                logs.add(client.readAll());
            }
        }
        final List<Message> master = logs.get(0);
        final Map<String, Long> seen = new HashMap<>();
        for (final Message m : master) {
            assertNull(seen.put(m.text(), m.msgId()), "stored twice: " + m.text());
        }
        for (final Map.Entry<Long, String> ack : acknowledged.entrySet()) {
            final long id = ack.getKey();
            for (int n = 0; n < logs.size(); n++) {
                final List<Message> log = logs.get(n);
                assertTrue(log.size() >= id, nodes[n] + " lost acknowledged msg_id " + id);
                assertEquals(ack.getValue(), log.get((int) id - 1).text(), nodes[n] + ": msg_id " + id);
            }
        }
        final int shortest = logs.stream().mapToInt(List::size).min().orElse(0);
        for (int n = 1; n < logs.size(); n++) {
            for (int i = 0; i < shortest; i++) {
                assertEquals(master.get(i).text(), logs.get(n).get(i).text(), nodes[n] + " differs at " + (i + 1));
            }
        }
    }

    private static long lastId(final ReplogClient client) {
        try {
            return client.read(Long.MAX_VALUE / 2, 1).get(10, TimeUnit.SECONDS).lastId();
        } catch (Exception e) {
            return -1;
        }
    }
}
