package io.replog.tools;

import io.replog.node.LocalCluster;
import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.replog.tools.LogctlRunner.logctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code append --timeout-ms} with a secondary that holds every replication request 3 s. */
class LogctlTimeoutTest {
    private static final long DELAY_MS = 3_000;

    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2, 0L, DELAY_MS));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aW3AppendThatCannotBeMetInTimeIsReportedAsTimeoutAndStaysInTheLog() {
        final String master = "127.0.0.1:" + cluster.master().port();
        final Run run = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> logctl("", "-s", master, "append",
            "-w", "3", "--timeout-ms", "300", "too slow for w=3"));
        assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
        assertEquals("", run.out());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.err().startsWith("logctl: the message: TIMEOUT: "), run.toString());
        assertTrue(run.millis() < DELAY_MS - 500, "answered at the timeout, not when the slow secondary was done: "
            + run);
        // like MongoDB's wtimeout: the message stays in the log
        final Run list = logctl("", "-s", master, "list");
        assertTrue(list.out().contains("\ttoo slow for w=3\n"), list.toString());
    }

    @Test
    void withoutATimeoutTheSameAppendWaitsForTheSlowSecondary() {
        final String master = "127.0.0.1:" + cluster.master().port();
        final Run run = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> logctl("", "-s", master, "append",
            "-w", "3", "patient"));
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.millis() >= DELAY_MS - 200, "waited for the delayed secondary: " + run);
    }
}
