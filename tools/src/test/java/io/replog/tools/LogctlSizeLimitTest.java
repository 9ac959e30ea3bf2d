package io.replog.tools;

import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.replog.tools.LogctlRunner.logctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * logctl at a node's size limit: a cluster with 1 KiB frames takes messages of up to 1024 - 89 = 935 bytes. The
 * largest one goes through and comes back byte for byte; larger lines are refused by logctl itself, named, and
 * never sent (a line over the frame limit used to be re-sent in an endless reconnect loop).
 */
class LogctlSizeLimitTest {
    private static final int MAX_FRAME = 1024;
    private static final int MAX_MESSAGE = MAX_FRAME - 89;

    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(new LocalCluster.Settings("127.0.0.1", 0, 0, 2, List.of(0L), MAX_FRAME));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String server(final ReplogNode node) {
        return "127.0.0.1:" + node.port();
    }

    /** A line of exactly {@code length} bytes, distinct per {@code tag}. */
    private static String line(final char tag, final int length) {
        return tag + "-" + String.valueOf(tag).repeat(length - 2);
    }

    @Test
    void theLargestMessageIsStoredAndListedByteForByteAndOneByteMoreIsRefusedByLine() throws Exception {
        final String largest = line('L', MAX_MESSAGE);
        final Run append = logctl(largest + "\n" + line('M', MAX_MESSAGE + 1) + "\n", "-s", server(cluster.master()),
            "append", "-w", "3");
        assertEquals(Logctl.EXIT_FAILED, append.exit(), append.toString());
        assertEquals(1, append.lines().size(), append.toString());
        assertEquals("logctl: line 2: PAYLOAD_TOO_LARGE: message of " + (MAX_MESSAGE + 1) + " bytes exceeds the limit of " + MAX_MESSAGE
            + " bytes "
            + "(max_message_bytes of " + server(cluster.master()) + "); not sent\n", append.err().replace("\r", ""));
        final long id = Long.parseLong(append.lines().get(0));
        for (final ReplogNode node : List.of(cluster.master(), cluster.secondaries().get(0),
            cluster.secondaries().get(1))) {
            final Run list = logctl("", "-s", server(node), "list", "--from", String.valueOf(id), "--limit", "1");
            assertEquals(0, list.exit(), list.toString());
            assertEquals(id + "\t" + largest + "\n", list.out(), "READ_OK of the largest message on " + server(node));
        }
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", cluster.master().port())) {
            for (final Message m : client.readAll()) {
                assertTrue(m.payload().length <= MAX_MESSAGE, "nothing larger was stored: " + m.payload().length);
            }
        }
    }

    @Test
    void aLineOverTheFrameLimitAmongGoodOnesIsNamedAndTheGoodOnesAreStoredOnce() throws Exception {
        final String input = "good-1\n" + line('X', 2 * MAX_FRAME) + "\ngood-3\n" + line('Y', MAX_MESSAGE + 1)
            + "\ngood-5\n";
        // with the default reconnect window (30 s): a loop on the refused line could not end in time
        final Run run = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> logctl(input, "-s",
            server(cluster.master()), "append", "-w", "3"));
        assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
        assertTrue(run.millis() < 5_000, run.toString());
        assertEquals(3, run.lines().size(), run.toString());
        final List<String> errors = run.errLines();
        assertEquals(2, errors.size(), run.toString());
        assertTrue(errors.get(0).startsWith("logctl: line 2: PAYLOAD_TOO_LARGE: message of 2048 bytes"), run.err());
        assertTrue(errors.get(1).startsWith("logctl: line 4: PAYLOAD_TOO_LARGE: message of " + (MAX_MESSAGE + 1) + " bytes"), run.err());
        final long last = Long.parseLong(run.lines().get(2));
        Await.until("replicated", () -> cluster.secondaries().get(1).role().log().lastId() >= last);
        final Run list = logctl("", "-s", server(cluster.secondaries().get(1)), "list");
        final long first = Long.parseLong(run.lines().get(0));
        final List<String> stored = list.lines().stream()
            .filter(l -> Long.parseLong(l.substring(0, l.indexOf('\t'))) >= first).toList();
        assertEquals(List.of(first + "\tgood-1", run.lines().get(1) + "\tgood-3", last + "\tgood-5"), stored,
            "exactly the good lines, once each");
    }
}
