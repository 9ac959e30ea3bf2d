package io.replog.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.replog.tools.LogctlRunner.logctl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** logctl against a running cluster on loopback, exactly as a user runs it (same parser, same output). */
class LogctlTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String server(final ReplogNode node) {
        return "127.0.0.1:" + node.port();
    }

    @Test
    void appendPrintsTheMsgIdAndListShowsItOnEveryNode() {
        final Run append = logctl("", "--server", server(cluster.master()), "append", "-w", "3", "hello logctl");
        assertEquals(0, append.exit(), append.err());
        final long id = Long.parseLong(append.out().trim());
        for (final ReplogNode node : List.of(cluster.master(), cluster.secondaries().get(0),
            cluster.secondaries().get(1))) {
            final Run list = logctl("", "--server", server(node), "list");
            assertEquals(0, list.exit(), list.err());
            assertTrue(list.lines().contains(id + "\thello logctl"), list.out());
        }
    }

    @Test
    void stdinAppendsEachLinePipelinedAndPrintsIdsInInputOrder() {
        final StringBuilder input = new StringBuilder();
        final List<String> sent = new ArrayList<>();
        for (int i = 0; i < 3000; i++) { // more than the in-flight window
            sent.add("line " + i);
            input.append("line ").append(i).append('\n');
        }
        final Run run = logctl(input.toString(), "-s", server(cluster.master()), "append", "-w", "2", "-");
        assertEquals(0, run.exit(), run.err());
        final List<String> ids = run.lines();
        assertEquals(sent.size(), ids.size());
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(Long.parseLong(ids.get(i)) > Long.parseLong(ids.get(i - 1)), "ids in input order");
        }
        final long first = Long.parseLong(ids.get(0));
        Await.until("secondary has them", () -> cluster.secondaries().get(1).role().log().lastId()
            >= Long.parseLong(ids.get(ids.size() - 1)));
        final Run list = logctl("", "-s", server(cluster.secondaries().get(1)), "list", "--from",
            String.valueOf(first), "--limit", String.valueOf(sent.size()));
        final List<String> lines = list.lines();
        assertEquals(sent.size(), lines.size());
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(ids.get(i) + "\t" + sent.get(i), lines.get(i));
        }
    }

    @Test
    void noMessageArgumentReadsStdinToo() {
        final Run run = logctl("one\ntwo\n", "-s", server(cluster.master()), "append");
        assertEquals(0, run.exit(), run.err());
        assertEquals(2, run.lines().size());
    }

    @Test
    void errorsGoToStderrWithANonZeroExit() {
        final Run notMaster = logctl("", "-s", server(cluster.secondaries().get(0)), "append", "x");
        assertEquals(Logctl.EXIT_FAILED, notMaster.exit());
        assertTrue(notMaster.err().contains("NOT_MASTER"), notMaster.err());
        assertEquals("", notMaster.out());

        final Run badW = logctl("", "-s", server(cluster.master()), "append", "-w", "7", "x");
        assertEquals(Logctl.EXIT_FAILED, badW.exit());
        assertTrue(badW.err().contains("between 1 and 3"), badW.err());

        final Run someBad = logctl("ok\n", "-s", server(cluster.master()), "append", "-w", "9");
        assertEquals(Logctl.EXIT_FAILED, someBad.exit());
        assertTrue(someBad.err().contains("line 1"), someBad.err());

        final Run refused = logctl("", "-s", "127.0.0.1:1", "list");
        assertEquals(Logctl.EXIT_FAILED, refused.exit());
        assertTrue(refused.err().contains("cannot connect"), refused.err());

        final Run usage = logctl("", "append", "--no-such-flag");
        assertEquals(2, usage.exit());
    }

    /**
     * A replog node's own HTTP port is recognised at once, not after the answer timeout: the first HEALTH is also a
     * malformed HTTP request line, which the node's HTTP bridge answers with 400 right away.
     */
    @Test
    void pointedAtTheHttpPortEveryCommandFailsAtOnceWithAHint() {
        final String http = "127.0.0.1:" + cluster.master().httpPort();
        for (final String command : List.of("list", "append")) {
            // an answer timeout of 10 minutes: only recognising the HTTP answer ends this within the test's bound
            final Run run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> logctl("x\n", "-s", http,
                "--answer-timeout-ms", "600000", command));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertTrue(run.err().startsWith("logctl: " + http + " does not speak the replog protocol: it answered "
                + "like an HTTP server: \"HTTP/1.1 400 Bad Request\""), run.toString());
            assertTrue(run.err().contains("the binary port is 7000 by default; 8000 is the node's HTTP port"),
                run.toString());
        }
    }

    @Test
    void healthPrintsATableOnTheMasterAndASummaryOnASecondary() {
        final Run master = logctl("", "-s", server(cluster.master()), "health");
        assertEquals(0, master.exit(), master.err());
        assertTrue(master.out().contains("role: master"), master.out());
        assertTrue(master.out().contains("writable"), master.out());
        assertTrue(master.out().contains("PEER"), master.out());
        // every secondary of a running cluster shows up as Healthy in its own row's STATUS column ("Unhealthy"
        // contains "Healthy": compare the column, not a substring)
        for (final ReplogNode secondary : cluster.secondaries()) {
            Await.until("127.0.0.1:" + secondary.port() + " shown Healthy", () -> {
                final Run health = logctl("", "-s", server(cluster.master()), "health");
                return "Healthy".equals(statusColumn(health.out(), "127.0.0.1:" + secondary.port()));
            });
        }
        assertTrue(master.out().contains("3 of 3 nodes up"), master.out());
        final Run json = logctl("", "-s", server(cluster.master()), "health", "--json");
        assertTrue(json.out().startsWith("{\"role\":\"master\",\"read_only\":false"), json.out());
        final Run secondary = logctl("", "-s", server(cluster.secondaries().get(1)), "health");
        assertTrue(secondary.out().startsWith("role: secondary"), secondary.out());
    }

    /** The STATUS column of the health table's row for {@code address}, or null. */
    private static String statusColumn(final String table, final String address) {
        for (final String row : table.split("\n")) {
            final String[] columns = row.trim().split("\\s+");
            if (columns.length > 1 && columns[0].equals(address)) {
                return columns[1];
            }
        }
        return null;
    }

    @Test
    void listJsonPrintsOneObjectPerLineEvenForMessagesWithNewlines() throws Exception {
        final String tricky = "two\nlines\tand a tab, \"quotes\" and \\ é";
        final Run append = logctl("", "-s", server(cluster.master()), "append", "-w", "3", tricky);
        assertEquals(0, append.exit(), append.toString());
        final long id = Long.parseLong(append.out().trim());
        final Run list = logctl("", "-s", server(cluster.secondaries().get(0)), "list", "--json", "--from",
            String.valueOf(id - 1 < 1 ? 1 : id - 1));
        assertEquals(0, list.exit(), list.toString());
        final Run plain = logctl("", "-s", server(cluster.secondaries().get(0)), "list", "--from",
            String.valueOf(id - 1 < 1 ? 1 : id - 1));
        final long messages = plain.lines().stream().filter(l -> l.matches("\\d+\t.*")).count();
        assertEquals(messages, list.lines().size(), "one line per message: " + list.out());
        JsonNode found = null;
        for (final String line : list.lines()) {
            final JsonNode node = new ObjectMapper().readTree(line);
            assertEquals(2, node.size(), line);
            if (node.path("msg_id").asLong() == id) {
                found = node;
            }
        }
        assertTrue(found != null, "msg_id " + id + " listed: " + list.out());
        assertEquals(tricky, found.path("message").asText());
    }

    @Test
    void stdinBytesAreSentExactlyAndInvalidUtf8IsRefusedWithItsLineNumber() throws Exception {
        final byte[] bad = {'b', 'a', 'd', (byte) 0xC3, '(', '\n'};
        final byte[] input = concat("utf8-first\n".getBytes(StandardCharsets.UTF_8), bad,
            "utf8-crlf\r\nutf8-lone\rcr\nutf8-é€😀\nutf8-last".getBytes(StandardCharsets.UTF_8));
        final Run run = logctl(input, "-s", server(cluster.master()), "append", "-w", "3");
        assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
        assertEquals(5, run.lines().size(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertEquals("logctl: line 2: not valid UTF-8 (at byte 4 of 5); not sent\n", run.err().replace("\r", ""));
        final List<String> expected = List.of("utf8-first", "utf8-crlf", "utf8-lone\rcr", "utf8-é€😀", "utf8-last");
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", cluster.secondaries().get(1).port())) {
            for (int i = 0; i < expected.size(); i++) {
                final long id = Long.parseLong(run.lines().get(i));
                final List<Message> stored = client.read(id, 1).get(10, TimeUnit.SECONDS).messages();
                assertEquals(1, stored.size());
                assertArrayEquals(expected.get(i).getBytes(StandardCharsets.UTF_8), stored.get(0).payload(),
                    "line " + (i < 1 ? 1 : i + 2) + " stored byte for byte");
            }
        }
    }

    private static byte[] concat(final byte[]... parts) {
        final java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (final byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    @Test
    void stdinAppendSurvivesACutConnectionWithoutStoringAnythingTwice() throws Exception {
        final int lines = 6000;
        final java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        // stdin that cuts every client connection of the master halfway through
        final java.io.InputStream stdin = new java.io.InputStream() {
            private byte[] current = new byte[0];
            private int pos;

            @Override
            public int read() {
                if (pos == current.length) {
                    final int n = served.incrementAndGet();
                    if (n > lines) {
                        return -1;
                    }
                    if (n == lines / 2) {
                        cluster.master().dropConnections();
                    }
                    current = ("cut-" + n + "\n").getBytes(StandardCharsets.UTF_8);
                    pos = 0;
                }
                return current[pos++];
            }
        };
        final Run run = logctl(stdin, "-s", server(cluster.master()), "append", "-w", "2");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("reconnected"), "the cut was noticed: " + run.err());
        final List<String> ids = run.lines();
        assertEquals(lines, ids.size());
        assertEquals(lines, new java.util.HashSet<>(ids).size(), "one distinct msg_id per line");
        final Run list = logctl("", "-s", server(cluster.master()), "list");
        final java.util.Map<String, Integer> stored = new java.util.HashMap<>();
        for (final String line : list.lines()) {
            final String text = line.substring(line.indexOf('\t') + 1);
            if (text.startsWith("cut-")) {
                stored.merge(text, 1, Integer::sum);
            }
        }
        assertEquals(lines, stored.size(), "every line stored");
        stored.forEach((text, n) -> assertEquals(1, n, text + " stored exactly once"));
    }

    @Test
    void benchReportsThroughputPercentilesAndAJsonSummary() throws Exception {
        final Run run = logctl("", "-s", server(cluster.master()), "bench", "-w", "2", "--messages", "3000",
            "--inflight", "64", "--connections", "2", "--json");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("throughput"), run.out());
        final String last = run.lines().get(run.lines().size() - 1);
        final com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(last);
        assertEquals(2, json.path("w").asInt());
        assertEquals(3000, json.path("ops").asLong(), "exactly the messages asked for");
        assertEquals(0, json.path("errors").asLong());
        assertTrue(json.path("ops_per_s").asLong() > 0);
        assertTrue(json.path("p50_us").asDouble() > 0);
        assertTrue(json.path("p999_us").asDouble() >= json.path("p99_us").asDouble());
        assertTrue(json.path("max_us").asDouble() >= json.path("p999_us").asDouble());
    }

    @Test
    void benchPingPacedAndErrorsAreCounted() throws Exception {
        final Run ping = logctl("", "-s", server(cluster.master()), "bench", "--op", "ping", "--messages", "200",
            "--json");
        assertEquals(0, ping.exit(), ping.err());
        assertTrue(ping.lines().get(ping.lines().size() - 1).contains("\"op\":\"ping\""), ping.out());

        final long start = System.nanoTime();
        final Run paced = logctl("", "-s", server(cluster.master()), "bench", "--rate", "1000", "--messages", "300",
            "--json");
        assertEquals(0, paced.exit(), paced.err());
        assertTrue(System.nanoTime() - start >= 250_000_000L, "300 requests at 1000/s take at least 0.3 s");

        // appends to a secondary are refused: every one is an error, and the exit code says so
        final Run refused = logctl("", "-s", server(cluster.secondaries().get(0)), "bench", "--messages", "50",
            "--inflight", "10", "--json");
        assertEquals(Logctl.EXIT_FAILED, refused.exit());
        assertTrue(refused.out().contains("\"errors\":50"), refused.out());
        assertTrue(refused.out().contains("NOT_MASTER") || refused.out().contains("not the master"), refused.out());

        final Run badOp = logctl("", "-s", server(cluster.master()), "bench", "--op", "nope");
        assertEquals(2, badOp.exit());
    }

    @Test
    void pingAnswers() {
        final Run ping = logctl("", "-s", server(cluster.master()), "ping", "-c", "2");
        assertEquals(0, ping.exit(), ping.err());
        assertEquals(2, ping.lines().size());
        assertTrue(ping.lines().get(0).startsWith("pong from"), ping.out());
    }
}
