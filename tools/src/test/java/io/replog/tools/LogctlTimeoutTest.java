package io.replog.tools;

import io.replog.node.LocalCluster;
import io.replog.node.role.ReplicationHold;
import io.replog.testing.Await;
import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.replog.tools.LogctlRunner.logctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code append --timeout-ms} against a cluster whose second secondary the test holds ({@link ReplicationHold}): a
 * w=3 append cannot be met until the test releases it.
 */
class LogctlTimeoutTest {
    /** How long the second test keeps the append unmet: past the first test's timeout, many times over. */
    private static final long HELD_MS = 1_000;

    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static ReplicationHold.Held holdSlowSecondary() {
        return cluster.secondaries().get(1).role().holdReplication();
    }

    @Test
    void aW3AppendThatCannotBeMetInTimeIsReportedAsTimeoutAndStaysInTheLog() {
        final String master = "127.0.0.1:" + cluster.master().port();
        try (ReplicationHold.Held held = holdSlowSecondary()) {
            // held throughout: the answer can only come from the timeout
            final Run run = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> logctl("", "-s", master, "append",
                "-w", "3", "--timeout-ms", "300", "too slow for w=3"));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertEquals("", run.out());
            assertEquals(1, run.errLines().size(), run.toString());
            assertTrue(run.err().startsWith("logctl: the message: TIMEOUT: "), run.toString());
            // like MongoDB's wtimeout: the message stays in the log
            final Run list = logctl("", "-s", master, "list");
            assertTrue(list.out().contains("\ttoo slow for w=3\n"), list.toString());
        }
    }

    @Test
    void withoutATimeoutTheSameAppendWaitsForTheSlowSecondary() throws Exception {
        final String master = "127.0.0.1:" + cluster.master().port();
        final CompletableFuture<Run> run;
        try (ReplicationHold.Held held = holdSlowSecondary()) {
            // its own answer timeout short too: a wait for w is not an unanswered request
            run = CompletableFuture.supplyAsync(() -> logctl("", "-s", master, "--answer-timeout-ms", "200", "append",
                "-w", "3", "patient"));
            Await.until("the master replicated the append to the held secondary", () -> held.size() > 0);
            TimeUnit.MILLISECONDS.sleep(HELD_MS); // not a hope: the least time logctl must be seen waiting
            assertFalse(run.isDone(), "logctl waits for the held secondary: " + (run.isDone() ? run.get() : ""));
        }
        final Run done = Await.result(run); // released: now it can be met
        assertEquals(0, done.exit(), done.toString());
        assertTrue(done.out().matches("\\d+\n"), "the msg_id: " + done);
    }
}
