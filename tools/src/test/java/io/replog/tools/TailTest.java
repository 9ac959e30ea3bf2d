package io.replog.tools;

import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.replog.tools.LogctlRunner.logctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code logctl tail} on a real cluster; {@code tail -f} as a real process that follows appends and reconnects. */
class TailTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(1));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String server(final ReplogNode node) {
        return "127.0.0.1:" + node.port();
    }

    private static List<Long> appendAll(final String prefix, final int count) {
        final List<Long> ids = new ArrayList<>();
        try (ReplogClient c = ReplogClient.connect(server(cluster.master()))) {
            for (int i = 0; i < count; i++) {
                ids.add(Await.result(c.append(prefix + i, 2)));
            }
        }
        return ids;
    }

    @Test
    void tailPrintsTheLastMessagesOrFromAnIdAndExits() {
        final List<Long> ids = appendAll("t", 15);
        final long last = ids.get(ids.size() - 1);
        final Run lastThree = logctl("", "-s", server(cluster.master()), "tail", "--last", "3");
        assertEquals(0, lastThree.exit(), lastThree.err());
        assertEquals(List.of((last - 2) + "\tt12", (last - 1) + "\tt13", last + "\tt14"), lastThree.lines());
        final Run byDefault = logctl("", "-s", server(cluster.secondaries().get(0)), "tail");
        assertEquals(10, byDefault.lines().size(), byDefault.toString());
        final Run from = logctl("", "-s", server(cluster.master()), "tail", "--from", String.valueOf(last - 1),
            "--json");
        assertEquals(List.of("{\"msg_id\":" + (last - 1) + ",\"message\":\"t13\"}",
            "{\"msg_id\":" + last + ",\"message\":\"t14\"}"), from.lines());
        final Run both = logctl("", "-s", server(cluster.master()), "tail", "--from", "1", "--last", "2");
        assertEquals(2, both.exit(), "mutually exclusive options are a usage error: " + both);
    }

    /** {@code logctl tail -f} as a process: its stdout lines as they come. */
    private static final class Follower implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuilder err = new StringBuilder();

        Follower(final String... args) throws IOException {
            process = LogctlRunner.process(args).start();
            pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), lines);
            final BlockingQueue<String> errLines = new LinkedBlockingQueue<>();
            pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), errLines);
            final Thread collector = new Thread(() -> {
                try {
                    while (true) {
                        final String line = errLines.take();
                        synchronized (err) {
                            err.append(line).append('\n');
                        }
                    }
                } catch (InterruptedException e) {
                    // done
                }
            });
            collector.setDaemon(true);
            collector.start();
        }

        private static void pump(final BufferedReader from, final BlockingQueue<String> to) {
            final Thread t = new Thread(() -> {
                try {
                    String line;
                    while ((line = from.readLine()) != null) {
                        to.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            t.setDaemon(true);
            t.start();
        }

        String next() throws InterruptedException {
            final String line = lines.poll(30, TimeUnit.SECONDS);
            assertNotNull(line, () -> "tail -f printed nothing within 30 s; stderr:\n" + stderr());
            return line;
        }

        String stderr() {
            synchronized (err) {
                return err.toString();
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void tailFollowPrintsEachNewMessageOnceAndGoesOnAfterALostConnection() throws Exception {
        final ReplogNode secondary = cluster.secondaries().get(0);
        final long before = appendAll("old", 1).get(0);
        try (Follower tail = new Follower("-s", server(secondary), "tail", "-f", "--last", "1", "--wait-ms",
            "60000")) {
            assertEquals(before + "\told0", tail.next());
            // each new message reaches the follower through its waiting READ (a 60 s wait: never its timeout)
            final List<Long> ids = appendAll("new", 5);
            for (int i = 0; i < ids.size(); i++) {
                assertEquals(ids.get(i) + "\tnew" + i, tail.next());
            }
            // the node cuts every connection: tail reconnects and goes on after the last line it printed
            secondary.dropConnections();
            Await.until("tail says it reconnected", () -> tail.stderr().contains("reconnected"));
            final List<Long> after = appendAll("after", 3);
            for (int i = 0; i < after.size(); i++) {
                assertEquals(after.get(i) + "\tafter" + i, tail.next(), "neither skipped nor repeated");
            }
            assertNull(tail.lines.poll(), "nothing more: " + tail.lines);
            assertTrue(tail.process.isAlive(), tail.stderr());
        }
    }
}
