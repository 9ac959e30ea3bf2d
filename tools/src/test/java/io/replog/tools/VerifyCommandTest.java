package io.replog.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.protocol.EntryRun;
import io.replog.protocol.Health;
import io.replog.protocol.HealthOk;
import io.replog.protocol.Read;
import io.replog.protocol.ReadOk;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.testing.ScriptedServer;
import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.replog.tools.LogctlRunner.logctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code logctl verify} against real nodes on loopback (a healthy cluster, a stopped secondary, a secondary left
 * behind, a node holding another log) and against scripted nodes that serve crafted logs over the real protocol.
 */
class VerifyCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String server(final ReplogNode node) {
        return "127.0.0.1:" + node.port();
    }

    /** Appends {@code count} messages "prefix-1", "prefix-2", … through logctl, pipelined, with write concern w. */
    private static void append(final ReplogNode master, final String prefix, final int count, final int w) {
        final StringBuilder lines = new StringBuilder();
        for (int k = 1; k <= count; k++) {
            lines.append(prefix).append('-').append(k).append('\n');
        }
        // paranoid leak tracking records every access to every buffer: a bulk load would take a minute under it.
        // The load is not what these tests check; verify's own reads run under the build's level again.
        final ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        if (count > 10_000) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        }
        try {
            final Run run = logctl(lines.toString(), "-s", server(master), "append", "-w", String.valueOf(w));
            assertEquals(0, run.exit(), run.err());
            assertEquals(count, run.lines().size());
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private static JsonNode json(final Run run) throws Exception {
        assertEquals(1, run.lines().size(), "one JSON document: " + run);
        return JSON.readTree(run.out());
    }

    private static JsonNode node(final JsonNode report, final String address) {
        for (final JsonNode n : report.path("nodes")) {
            if (n.path("address").asText().equals(address)) {
                return n;
            }
        }
        throw new AssertionError(address + " not in " + report);
    }

    /** The table's row for {@code address}, split on blanks. */
    private static String[] row(final Run run, final String address) {
        for (final String line : run.lines()) {
            if (line.startsWith(address + " ")) {
                return line.trim().split("\\s+");
            }
        }
        throw new AssertionError(address + " not in\n" + run.out());
    }

    @Test
    void aHealthyClusterOf200kMessagesVerifiesWithExitZeroAlsoWhileAppendsGoOn() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2))) {
            append(cluster.master(), "m", 100_000, 3);
            final Run run = logctl("", "-s", server(cluster.master()), "--answer-timeout-ms", "60000", "verify");
            assertEquals(0, run.exit(), run.toString());
            assertTrue(run.lines().get(0).contains("compared: msg_ids 1..100000"), run.toString());
            assertTrue(run.lines().get(1).matches("NODE\\s+ROLE\\s+STATUS\\s+HELD\\s+LAG\\s+FIRST DIFF\\s+GAPS\\s+DUPS"
                + "\\s+REORDERED\\s+CHANGED\\s+EXTRA"), run.toString());
            final List<ReplogNode> all = List.of(cluster.master(), cluster.secondaries().get(0),
                cluster.secondaries().get(1));
            for (final ReplogNode n : all) {
                assertEquals(List.of(server(n), n == cluster.master() ? "master" : "secondary", "ok", "100000", "0",
                    "-", "0", "0", "0", "0", "0"), List.of(row(run, server(n))), run.toString());
            }
            assertEquals("verdict: OK (exit 0)", run.lines().get(run.lines().size() - 1));

            // a writer keeps appending while verify reads: the secondaries may lag, nothing may look diverged
            final AtomicBoolean writing = new AtomicBoolean(true);
            final AtomicLong appended = new AtomicLong();
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (ReplogClient client = ReplogClient.connect("127.0.0.1", cluster.master().port())) {
                    while (writing.get()) {
                        final List<CompletableFuture<Long>> batch = new ArrayList<>();
                        for (int k = 0; k < 200; k++) {
                            batch.add(client.append("during-" + appended.incrementAndGet(), 1));
                        }
                        Await.result(CompletableFuture.allOf(batch.toArray(new CompletableFuture[0])));
                    }
                }
            });
            Await.until("the writer is under way", () -> appended.get() > 1000);
            final Run during = logctl("", "-s", server(cluster.master()), "--answer-timeout-ms", "60000", "verify",
                "--json");
            writing.set(false);
            Await.result(writer);
            assertEquals(0, during.exit(), during.toString());
            final JsonNode report = json(during);
            assertEquals("ok", report.path("verdict").asText());
            final long compared = report.path("compared_to").asLong();
            assertTrue(compared > 100_000, report.toString());
            assertTrue(report.path("master_last_msg_id").asLong() >= compared, report.toString());
            for (final ReplogNode n : all) {
                final JsonNode r = node(report, server(n));
                assertEquals("ok", r.path("status").asText(), r.toString());
                assertTrue(r.path("first_difference").isNull(), r.toString());
                assertEquals(0, r.path("gaps").asLong() + r.path("duplicates").asLong() + r.path("reordered").asLong()
                    + r.path("changed").asLong() + r.path("extra").asLong(), r.toString());
            }
        }
    }

    @Test
    void aStoppedSecondaryIsUnreachableWithExitThree() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2))) {
            append(cluster.master(), "m", 100, 3);
            final ReplogNode stopped = cluster.secondaries().get(1);
            stopped.close();
            final Run run = logctl("", "-s", server(cluster.master()), "verify");
            assertEquals(VerifyCommand.EXIT_UNREACHABLE, run.exit(), run.toString());
            assertEquals("ok", row(run, server(cluster.secondaries().get(0)))[2], run.toString());
            assertEquals("unreachable", row(run, server(stopped))[2], run.toString());
            assertTrue(run.out().contains(server(stopped) + ": CONNECTION_LOST: cannot connect"), run.toString());
            assertEquals("verdict: UNREACHABLE (exit 3)", run.lines().get(run.lines().size() - 1));

            final JsonNode report = json(logctl("", "-s", server(cluster.master()), "verify", "--json"));
            assertEquals("unreachable", report.path("verdict").asText());
            assertEquals(3, report.path("exit_code").asInt());
            assertTrue(node(report, server(stopped)).path("error").asText().contains("cannot connect"), report
                .toString());
            assertEquals(100, node(report, server(cluster.secondaries().get(0))).path("held").asLong());

            // the master itself unreachable: the same code, and still a report
            final JsonNode noMaster = json(logctl("", "-s", server(stopped), "verify", "--json"));
            assertEquals("unreachable", noMaster.path("verdict").asText());
            assertEquals("unreachable", node(noMaster, server(stopped)).path("status").asText());
            assertEquals(3, logctl("", "-s", server(stopped), "verify").exit());

            // a secondary as --server without --nodes: nothing to compare with, a usage failure
            final Run secondary = logctl("", "-s", server(cluster.secondaries().get(0)), "verify");
            assertEquals(Logctl.EXIT_FAILED, secondary.exit(), secondary.toString());
            assertTrue(secondary.err().contains("is a secondary, not a master"), secondary.toString());
            assertEquals(2, logctl("", "-s", server(cluster.master()), "verify", "--max-lag", "-1").exit());
            assertEquals(2, logctl("", "-s", server(cluster.master()), "verify", "--nodes", "nohostport").exit());
        }
    }

    /** --server a,b names the node it compares against, not the list; a secondary is not called the master. */
    @Test
    void theReferenceIsTheNodeThatAnsweredAndItsRoleIsTold() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2))) {
            append(cluster.master(), "m", 100, 3);
            final String master = server(cluster.master());
            final String first = server(cluster.secondaries().get(0));
            final Run listed = logctl("", "-s", master + "," + first, "verify");
            assertEquals(0, listed.exit(), listed.toString());
            assertTrue(listed.lines().get(0).startsWith("master: " + master + "   compared: msg_ids 1..100"),
                listed.toString());
            assertEquals(master, row(listed, master)[0], listed.toString());
            assertEquals("secondary", row(listed, first)[1], listed.toString());
            assertEquals("secondary", row(listed, server(cluster.secondaries().get(1)))[1], listed.toString());
            // every row's second column starts where the header's ROLE does
            final int role = listed.lines().get(1).indexOf("ROLE");
            for (final String line : listed.lines().subList(2, 5)) {
                assertTrue(line.charAt(role - 1) == ' ' && line.charAt(role) != ' ', "aligned:\n" + listed.out());
            }

            final Run fromSecondary = logctl("", "-s", first, "verify", "--nodes", master);
            assertEquals(0, fromSecondary.exit(), fromSecondary.toString());
            assertTrue(fromSecondary.lines().get(0).startsWith("reference: " + first + " (secondary)   compared"),
                fromSecondary.toString());
        }
    }

    @Test
    void aSecondaryLeftBehindIsLaggingWithExitFourBeyondMaxLag(@TempDir final Path dir) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2).onDisk(dir))) {
            append(cluster.master(), "m", 50, 3); // both secondaries hold 1..50 on disk
            cluster.secondaries().get(1).close();
            append(cluster.master(), "n", 70, 2); // the master and the first secondary hold 120
            // the stopped secondary's log, served again by a node the master does not know: it stays at 50
            try (ReplogNode behind = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
                .dataDir(dir.resolve("secondary-2")), null)) {
                final String nodes = server(cluster.secondaries().get(0)) + "," + server(behind);
                final Run run = logctl("", "-s", server(cluster.master()), "verify", "--nodes", nodes,
                    "--max-lag", "10");
                assertEquals(VerifyCommand.EXIT_BEHIND, run.exit(), run.toString());
                assertEquals(List.of(server(behind), "secondary", "behind", "50", "70", "-", "0", "0", "0", "0", "0"),
                    List.of(row(run, server(behind))), run.toString());
                assertEquals("ok", row(run, server(cluster.secondaries().get(0)))[2], run.toString());
                assertTrue(run.out().contains(server(behind) + ": 70 messages behind the master (--max-lag 10)"),
                    run.toString());

                // a prefix is a prefix: without --max-lag, or with room enough, it is fine
                assertEquals(0, logctl("", "-s", server(cluster.master()), "verify", "--nodes", nodes).exit());
                final Run roomy = logctl("", "-s", server(cluster.master()), "verify", "--nodes", nodes,
                    "--max-lag", "70", "--json");
                assertEquals(0, roomy.exit(), roomy.toString());
                final JsonNode r = node(json(roomy), server(behind));
                assertEquals(50, r.path("held").asLong());
                assertEquals(70, r.path("lag").asLong());
                assertEquals(50, r.path("compared_to").asLong());

                // behind beats unreachable, whatever the order of the nodes
                final Run both = logctl("", "-s", server(cluster.master()), "verify", "--nodes",
                    server(cluster.secondaries().get(1)) + "," + nodes, "--max-lag", "10");
                assertEquals(VerifyCommand.EXIT_BEHIND, both.exit(), both.toString());
                assertEquals("unreachable", row(both, server(cluster.secondaries().get(1)))[2], both.toString());
            }
        }
    }

    @Test
    void aNodeHoldingAnotherLogIsDivergedAtItsFirstDifferentMessage() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(1));
             ReplogNode other = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0), null)) {
            append(cluster.master(), "m", 30, 2);
            // another master, its own log: the same first ten messages, then its own
            append(other, "m", 10, 1);
            assertEquals(0, logctl("other-11\nm-12\n", "-s", server(other), "append").exit());
            // the unreachable one first: the worst status decides the exit code, not the first one found
            final String nodes = "127.0.0.1:1," + server(cluster.secondaries().get(0)) + "," + server(other);
            final Run run = logctl("", "-s", server(cluster.master()), "verify", "--nodes", nodes);
            assertEquals(VerifyCommand.EXIT_DIVERGED, run.exit(), run.toString());
            assertEquals(List.of(server(other), "master", "diverged", "12", "18", "11", "0", "0", "0", "1", "0"),
                List.of(row(run, server(other))), run.toString());
            assertEquals("ok", row(run, server(cluster.secondaries().get(0)))[2], run.toString());
            assertEquals("unreachable", row(run, "127.0.0.1:1")[2], run.toString());
            assertTrue(run.out().contains(server(other) + ": differs from the master at msg_id 11"), run.toString());
            assertTrue(run.out().contains(server(other) + ": holds another log (log_id "), run.toString());
            assertTrue(run.out().contains("first msg_id where nodes disagree: 11"), run.toString());
            assertEquals("verdict: DIVERGED (exit 5)", run.lines().get(run.lines().size() - 1));

            final JsonNode report = json(logctl("", "-s", server(cluster.master()), "verify", "--nodes", nodes,
                "--json"));
            assertEquals("diverged", report.path("verdict").asText());
            assertEquals(5, report.path("exit_code").asInt());
            assertEquals(11, report.path("first_disagreement").asLong());
            final JsonNode r = node(report, server(other));
            assertEquals(11, r.path("first_difference").asLong());
            assertEquals(1, r.path("changed").asLong());
            assertEquals(2, r.path("diverged_because").size(), r.toString());
        }
    }

    /**
     * A node that answers HEALTH as a secondary of log {@code logId} and serves {@code log} to READ, at most
     * {@code page} messages per answer (a real node's pages are capped too).
     */
    private static ScriptedServer scriptedNode(final String logId, final List<byte[]> log, final int page) {
        final String health = "{\"role\":\"secondary\",\"last_msg_id\":" + log.size() + ",\"log_id\":\"" + logId
            + "\",\"max_message_bytes\":4194260}";
        return ScriptedServer.start(1024, (ctx, frame) -> {
            if (frame instanceof Health) {
                ctx.writeAndFlush(new HealthOk(frame.requestId(), health));
            } else if (frame instanceof Read read) {
                final int from = (int) read.fromId();
                final int count = (int) Math.max(0, Math.min(Math.min(read.maxCount(), page), log.size() - from + 1));
                final ByteBuf run = ctx.alloc().buffer();
                for (int k = 0; k < count; k++) {
                    EntryRun.writeEntry(run, log.get(from - 1 + k));
                }
                ctx.writeAndFlush(new ReadOk(read.requestId(), read.fromId(), count, log.size(), run));
            }
        });
    }

    @Test
    void duplicatesGapsAndExtraMessagesOfNodesHoldingTheSameLogAreFoundThroughPagedReads() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(0))) {
            append(cluster.master(), "m", 20_000, 1);
            final List<byte[]> log = new ArrayList<>();
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", cluster.master().port())) {
                for (final Message m : client.readAll()) {
                    log.add(m.payload());
                }
            }
            assertEquals(20_000, log.size());
            final String logId = Long.toHexString(cluster.master().log().logId());
            // msg_id 10,001 holds msg 10,000 again (a page boundary of the master's reads), 15,000 is lost
            final List<byte[]> faulty = new ArrayList<>(log);
            faulty.add(10_000, log.get(9_999));
            faulty.remove(15_000);
            // all of the master's log, and five more the master does not have
            final List<byte[]> longer = new ArrayList<>(log);
            for (int k = 1; k <= 5; k++) {
                longer.add(("beyond-" + k).getBytes(StandardCharsets.UTF_8));
            }
            try (ScriptedServer a = scriptedNode(logId, faulty, 3_000);
                 ScriptedServer b = scriptedNode(logId, longer, 7_001);
                 ScriptedServer c = scriptedNode(logId, log.subList(0, 12_345), 10_000)) {
                final String nodes = a.address() + "," + b.address() + "," + c.address();
                final Run run = logctl("", "-s", server(cluster.master()), "verify", "--nodes", nodes,
                    "--max-lag", "100", "--json");
                assertEquals(VerifyCommand.EXIT_DIVERGED, run.exit(), run.toString());
                final JsonNode report = json(run);
                assertEquals(10_001, report.path("first_disagreement").asLong(), report.toString());

                final JsonNode ra = node(report, a.address());
                assertEquals("diverged", ra.path("status").asText());
                assertEquals(10_001, ra.path("first_difference").asLong());
                assertEquals(1, ra.path("duplicates").asLong(), ra.toString());
                assertEquals(1, ra.path("gaps").asLong(), ra.toString());
                assertEquals(0, ra.path("reordered").asLong() + ra.path("changed").asLong()
                    + ra.path("extra").asLong(), ra.toString());
                assertEquals(20_000, ra.path("compared_to").asLong());
                assertEquals(List.of("differs from the master at msg_id 10001"),
                    List.of(JSON.treeToValue(ra.path("diverged_because"), String[].class)));

                final JsonNode rb = node(report, b.address());
                assertEquals("diverged", rb.path("status").asText());
                assertTrue(rb.path("first_difference").isNull(), rb.toString());
                assertEquals(20_005, rb.path("held").asLong());
                assertEquals(List.of("holds msg_ids up to 20005, the master only up to 20000 (read after it)"),
                    List.of(JSON.treeToValue(rb.path("diverged_because"), String[].class)));

                final JsonNode rc = node(report, c.address());
                assertEquals("behind", rc.path("status").asText(), rc.toString());
                assertEquals(12_345, rc.path("held").asLong());
                assertEquals(7_655, rc.path("lag").asLong());
                assertEquals(12_345, rc.path("compared_to").asLong());
            }
        }
    }

    @Test
    void helpListsTheExitCodes() {
        // picocli reports a description it cannot format on System.err, not on the command's error writer
        final PrintStream systemErr = System.err;
        final ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        final Run help;
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            help = logctl("", "verify", "--help");
        } finally {
            System.setErr(systemErr);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.out().startsWith("Usage: logctl verify "), help.out());
        for (final String code : List.of("0", "1", "2", "3", "4", "5")) {
            assertTrue(help.out().matches("(?s).*\\n\\s+" + code + "\\s+\\S.*"), "exit code " + code + ": " + help.out());
        }
        assertTrue(help.out().contains("--server"), help.out());
        assertEquals("", help.err());
    }
}
