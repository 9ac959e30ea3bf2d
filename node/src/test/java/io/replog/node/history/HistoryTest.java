package io.replog.node.history;

import io.replog.node.consensus.BrokenRule;
import io.replog.testing.Nightly;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jepsen-style history tests of a failover cluster: three real {@code replog-node node} processes whose links run
 * through proxies the test controls, clients appending (tagged and untagged, w=1..3, unknown outcomes sent again
 * with the same tag to the master of the moment), readers on random nodes, and a seeded nemesis that kills -9, pauses
 * and partitions nodes (the master on purpose too). {@link HistoryChecker} then checks the recorded history: nothing
 * acknowledged with a majority lost, nothing duplicated, no phantom, real-time order kept, no read the final log
 * contradicts, every node converged.
 *
 * <p>CI runs one short run on a seed that changes every day ({@code -Dreplog.history.seed=S} replays the nemesis's
 * choices of seed S; the processes' timing is the machine's); the nightly set runs many seeds for minutes each
 * ({@code -Dreplog.history.seeds=N -Dreplog.history.faultMs=MS}) and {@link #aBrokenEngineIsCaught}, which shows the
 * checker failing when the engine breaks a rule.
 */
class HistoryTest {
    private static final List<String> FLAGS = List.of("--election-timeout-ms", "300..600", "--peer-heartbeat-ms",
        "75");

    private static long seed() {
        return Long.getLong("replog.history.seed", LocalDate.now().toEpochDay());
    }

    private static History.Saved runAndCheck(final HistoryRun.Options options) throws Exception {
        System.out.println("history run: seed " + options.seed() + ", faults for " + options.faultMs() + " ms, "
            + options.faults() + (options.broken() == BrokenRule.NONE ? "" : ", breaking " + options.broken())
            + "; replay the nemesis's choices with -Dreplog.history.seed=" + options.seed());
        final History.Saved run = HistoryRun.run(options);
        run.faults().forEach(f -> System.out.printf("  %7.0f ms  %s%n", f.atMs(), f.what()));
        return run;
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aShortRunUnderEveryFaultKeepsEveryPromise() throws Exception {
        final History.Saved run = runAndCheck(new HistoryRun.Options(seed(), 20_000, 4, 2,
            EnumSet.allOf(Nemesis.Fault.class), BrokenRule.NONE, FLAGS));
        final CheckReport report = HistoryChecker.check(run);
        System.out.println(report);
        assertTrue(report.valid(), report.toString());
        assertTrue(report.count("appends OK w=2") + report.count("appends OK w=3") > 100,
            "too few majority-acknowledged appends to mean anything:\n" + report);
        assertTrue(run.faults().stream().anyMatch(f -> !f.what().startsWith("healed")), "no fault happened");
    }

    /**
     * The checker can fail: the nodes count a peer as holding what was merely sent to it ({@link
     * BrokenRule#ACKS_ON_SEND}: w=2 answered before the follower has the entry), the master is cut off again and
     * again, and the checker names the acknowledged appends the new masters never had.
     */
    @Test
    @Nightly // CI shows ACKS_ON_SEND caught by the simulation's pinned seed, and each verdict by HistoryCheckerTest
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBrokenEngineIsCaught() throws Exception {
        final History.Saved run = runAndCheck(new HistoryRun.Options(seed(), 15_000, 4, 1,
            EnumSet.of(Nemesis.Fault.ISOLATE_MASTER), BrokenRule.ACKS_ON_SEND, FLAGS));
        final CheckReport report = HistoryChecker.check(run);
        System.out.println(report);
        assertTrue(report.violations(CheckReport.Kind.LOST) > 0, "ACKS_ON_SEND went unnoticed:\n" + report);
    }

    /** The long runs of the nightly set: {@code replog.history.seeds} seeds from {@code replog.history.seed}. */
    @Test
    @Nightly
    @Timeout(value = 6, unit = TimeUnit.HOURS)
    void longRunsUnderEveryFaultKeepEveryPromise() throws Exception {
        final int seeds = Integer.getInteger("replog.history.seeds", 5);
        final long faultMs = Long.getLong("replog.history.faultMs", 180_000);
        final long first = seed();
        for (long seed = first; seed < first + seeds; seed++) {
            final History.Saved run = runAndCheck(new HistoryRun.Options(seed, faultMs, 6, 3,
                EnumSet.allOf(Nemesis.Fault.class), BrokenRule.NONE, FLAGS));
            final CheckReport report = HistoryChecker.check(run);
            System.out.println(report);
            assertTrue(report.valid(), "seed " + seed + ":\n" + report);
        }
    }

    /** Checks a saved history again: {@code -Dreplog.history.file=target/history/….jsonl}. */
    @Test
    @EnabledIfSystemProperty(named = "replog.history.file", matches = ".+")
    void checkSavedHistory() throws Exception {
        final CheckReport report = HistoryChecker.check(History.load(Path.of(System.getProperty(
            "replog.history.file"))));
        System.out.println(report);
        assertTrue(report.valid(), report.toString());
    }
}
