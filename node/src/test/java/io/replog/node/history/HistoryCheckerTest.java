package io.replog.node.history;

import io.replog.node.history.CheckReport.Kind;
import io.replog.node.history.History.Append;
import io.replog.node.history.History.FinalLog;
import io.replog.node.history.History.Outcome;
import io.replog.node.history.History.Read;
import io.replog.node.history.HistoryCluster.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker on small hand-made histories: each kind of violation is found (and only that kind), and a history
 * that keeps every promise passes, including what the promises allow (a w=1 append rolled back, an unknown outcome
 * stored or not).
 */
class HistoryCheckerTest {
    private static Append ok(final String value, final int w, final long msgId, final double invoked,
                             final double completed) {
        return new Append(0, "c", value, w, 1, 1, invoked, completed, Outcome.OK, msgId, 1, "n1", null);
    }

    private static Append outcome(final String value, final Outcome outcome, final String error) {
        return new Append(0, "c", value, 2, 0, 0, 0, 1, outcome, 0, 1, "n1", error);
    }

    private static History.Saved run(final List<Append> appends, final List<Read> reads, final String... log) {
        return run(Mode.FAILOVER, appends, reads, log);
    }

    private static History.Saved fixed(final List<Append> appends, final List<Read> reads, final String... log) {
        return run(Mode.FIXED_ROLES, appends, reads, log);
    }

    private static History.Saved run(final Mode mode, final List<Append> appends, final List<Read> reads,
                                     final String... log) {
        final List<String> values = Arrays.asList(log);
        return new History.Saved(1, "NONE", mode, 3, 2, appends, reads, List.of(),
            List.of(new FinalLog("n1", values, null), new FinalLog("n2", values, null),
                new FinalLog("n3", values, null)));
    }

    /** Only {@code kinds} were found. */
    private static void found(final CheckReport report, final Kind... kinds) {
        final EnumSet<Kind> expected = kinds.length == 0 ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(List.of(kinds));
        for (final Kind kind : Kind.values()) {
            assertEquals(expected.contains(kind), report.violations(kind) > 0, kind + " in\n" + report);
        }
    }

    @Test
    void aHistoryThatKeepsEveryPromisePasses() {
        final CheckReport report = HistoryChecker.check(run(List.of(
            ok("a", 2, 1, 0, 10), ok("b", 3, 2, 11, 20),
            ok("rolled back", 1, 3, 12, 21), // w=1 may be lost in a failover
            outcome("unknown, stored", Outcome.INFO, "no answer"), outcome("unknown, lost", Outcome.INFO, "no answer"),
            outcome("refused", Outcome.FAIL, "NOT_MASTER")),
            List.of(new Read(0, "r", "n2", 1, 5, 6, List.of("a", "b"), 2L)),
            "a", "b", "unknown, stored"));
        found(report);
        assertTrue(report.valid());
        assertEquals(1, report.count("acknowledged with w below a majority, rolled back (allowed)"));
    }

    @Test
    void aMajorityAcknowledgedAppendMissingIsLost() {
        found(HistoryChecker.check(run(List.of(ok("a", 2, 1, 0, 1), ok("b", 2, 2, 0, 1)), List.of(), "a")),
            Kind.LOST);
    }

    @Test
    void aMajorityAcknowledgedAppendAtAnotherMsgIdIsLost() {
        found(HistoryChecker.check(run(List.of(ok("a", 3, 1, 0, 1), ok("b", 1, 2, 0, 3)), List.of(), "b", "a")),
            Kind.LOST, Kind.MOVED);
    }

    @Test
    void aMinorityAcknowledgedAppendAtAnotherMsgIdMoved() {
        found(HistoryChecker.check(run(List.of(ok("a", 1, 1, 0, 1), ok("b", 1, 2, 0, 1)), List.of(), "b", "a")),
            Kind.MOVED);
    }

    @Test
    void aMessageTwiceIsDuplicated() {
        found(HistoryChecker.check(run(List.of(ok("a", 1, 1, 0, 1)), List.of(), "a", "a")), Kind.DUPLICATED);
    }

    @Test
    void anEntryNoClientAppendedIsAPhantom() {
        found(HistoryChecker.check(run(List.of(ok("a", 1, 1, 0, 1)), List.of(), "a", "nobody's")), Kind.PHANTOM);
    }

    @Test
    void aRefusedAppendInTheLogIsAPhantom() {
        found(HistoryChecker.check(run(List.of(outcome("refused", Outcome.FAIL, "OVERLOADED")), List.of(),
            "refused")), Kind.PHANTOM);
    }

    @Test
    void anEmptyEntryIsAPhantom() {
        // epoch marks are invisible to readers: an empty entry nobody appended is one, even one per epoch
        found(HistoryChecker.check(run(List.of(ok("a", 2, 2, 0, 1)), List.of(), "", "a")), Kind.PHANTOM);
        found(HistoryChecker.check(fixed(List.of(ok("a", 2, 2, 0, 1)), List.of(), "", "a")), Kind.PHANTOM);
        found(HistoryChecker.check(fixed(List.of(ok("a", 2, 1, 0, 1)), List.of(), "a", "")), Kind.PHANTOM);
    }

    @Test
    void anAppendSentAfterAnotherWasAcknowledgedMustComeAfterIt() {
        // b was sent (at 5) after a was acknowledged (at 4), yet sits before it
        found(HistoryChecker.check(run(List.of(ok("a", 1, 2, 0, 4), ok("b", 1, 1, 5, 6)), List.of(), "b", "a")),
            Kind.REORDERED);
        // concurrent: b was sent (at 3) before a was acknowledged (at 4): any order
        found(HistoryChecker.check(run(List.of(ok("a", 1, 2, 0, 4), ok("b", 1, 1, 3, 6)), List.of(), "b", "a")));
        // b's outcome unknown, but it is in the log: still after a
        found(HistoryChecker.check(run(List.of(ok("a", 1, 2, 0, 4),
            new Append(0, "c", "b", 2, 0, 0, 5, 9, Outcome.INFO, 0, 1, "n1", "no answer")), List.of(), "b", "a")),
            Kind.REORDERED);
    }

    @Test
    void aReadTheFinalLogContradictsIsStale() {
        final List<Append> appends = List.of(ok("a", 1, 1, 0, 1), ok("b", 1, 2, 0, 1));
        found(HistoryChecker.check(run(appends, List.of(new Read(0, "r", "n2", 2, 0, 1, List.of("x"), 2L)), "a", "b")),
            Kind.STALE_READ);
        found(HistoryChecker.check(run(appends, List.of(new Read(0, "r", "n2", 2, 0, 1, List.of("b", "c"), 3L)), "a",
            "b")), Kind.STALE_READ);
        found(HistoryChecker.check(run(appends, List.of(new Read(0, "r", "n2", 1, 0, 1, List.of("a", "b"), 2L)), "a",
            "b")));
    }

    @Test
    void nodesThatDisagreeDidNotConverge() {
        final List<Append> appends = List.of(ok("a", 1, 1, 0, 1), ok("b", 1, 2, 0, 1));
        final History.Saved differ = new History.Saved(1, "NONE", Mode.FAILOVER, 3, 2, appends, List.of(), List.of(),
            List.of(new FinalLog("n1", List.of("a", "b"), null), new FinalLog("n2", List.of("a"), null),
                new FinalLog("n3", null, "connection refused")));
        found(HistoryChecker.check(differ), Kind.NON_CONVERGENCE);
    }

    @Test
    void anAnswerNoClientShouldGetIsReported() {
        found(HistoryChecker.check(run(List.of(outcome("x", Outcome.FAIL, "UNEXPECTED INVALID_REQUEST: w must be")),
            List.of())), Kind.UNEXPECTED);
    }

    @Test
    void withFixedRolesAHistoryThatKeepsEveryPromisePasses() {
        final CheckReport report = HistoryChecker.check(fixed(List.of(
            ok("a", 1, 1, 0, 10), ok("b", 3, 2, 11, 20), ok("c", 2, 3, 12, 21),
            outcome("unknown, stored", Outcome.INFO, "no answer"), outcome("cut back", Outcome.INFO, "no answer"),
            outcome("refused", Outcome.FAIL, "READ_ONLY")),
            List.of(new Read(0, "r", "n2", 1, 5, 6, List.of("a"), 1L), // b not yet acknowledged: n2 may be behind
                new Read(0, "r", "n3", 3, 22, 23, List.of(), 2L), // after b, from past it: says nothing of b
                new Read(0, "r", "n3", 2, 22, 23, List.of("b", "c", "cut back"), 4L)), // a tail n3 lost later
            "a", "b", "c", "unknown, stored"));
        found(report);
        assertEquals(1, report.count("reads of a tail later cut back (fixed roles: allowed)"));
    }

    @Test
    void withFixedRolesEveryAcknowledgedAppendMustSurvive() {
        // the static master's own fsynced copy: w=1 too (a failover cluster may roll it back)
        final List<Append> appends = List.of(ok("a", 2, 1, 0, 1), ok("b", 1, 2, 2, 3));
        found(HistoryChecker.check(fixed(appends, List.of(), "a")), Kind.LOST);
        found(HistoryChecker.check(run(appends, List.of(), "a")));
        found(HistoryChecker.check(fixed(appends, List.of(), "b", "a")), Kind.LOST, Kind.REORDERED);
    }

    @Test
    void aReadOfATailLaterCutBackIsStaleUnlessItIsFixedRolesAndNothingInItWasAcknowledgedThere() {
        final List<Append> appends = List.of(ok("a", 2, 1, 0, 1), outcome("x", Outcome.INFO, "no answer"),
            ok("b", 2, 2, 5, 6), outcome("y", Outcome.INFO, "no answer"));
        final List<Read> cutBack = List.of(new Read(0, "r", "n2", 1, 2, 3, List.of("a", "x", "y"), 3L));
        found(HistoryChecker.check(run(appends, cutBack, "a", "b")), Kind.STALE_READ);
        found(HistoryChecker.check(fixed(appends, cutBack, "a", "b")));
        // x went to msg_id 3 when sent again: it was never acknowledged at 2
        final List<Append> resent = List.of(ok("a", 2, 1, 0, 1), ok("x", 2, 3, 0, 9), ok("b", 2, 2, 5, 6));
        found(HistoryChecker.check(fixed(resent, List.of(new Read(0, "r", "n2", 1, 2, 3, List.of("a", "x"), 2L)), "a",
            "b", "x")));
        // what nobody appended, or what was acknowledged at the msg_id read, is never a tail cut back
        found(HistoryChecker.check(fixed(appends, List.of(new Read(0, "r", "n2", 2, 2, 3, List.of("x", "z"), 3L)), "a",
            "b")), Kind.STALE_READ);
        found(HistoryChecker.check(fixed(List.of(ok("a", 1, 1, 0, 1), ok("b", 1, 2, 0, 1)),
            List.of(new Read(0, "r", "n2", 1, 2, 3, List.of("a", "b"), 2L)), "a", "c")), Kind.STALE_READ, Kind.LOST,
            Kind.PHANTOM);
    }

    @Test
    void withFixedRolesANodeThatServesLessThanEveryNodeHeldIsStale() {
        // b acknowledged with w=3 at 20: from then on every node serves msg_id 2
        final List<Append> appends = List.of(ok("a", 2, 1, 0, 10), ok("b", 3, 2, 11, 20));
        final List<Read> behind = List.of(new Read(0, "r", "n2", 1, 25, 26, List.of("a"), 1L));
        found(HistoryChecker.check(fixed(appends, behind, "a", "b")), Kind.STALE_READ);
        found(HistoryChecker.check(fixed(appends, List.of(new Read(0, "r", "n2", 2, 25, 26, List.of(), 1L)), "a", "b")),
            Kind.STALE_READ);
        // a failover follower learns the commit point later: behind is allowed there
        found(HistoryChecker.check(run(appends, behind, "a", "b")));
        // a page may end short of what its node serves (at an epoch's first entry, say): its node's last msg_id counts
        found(HistoryChecker.check(fixed(appends, List.of(new Read(0, "r", "n2", 1, 25, 26, List.of("a"), 2L)), "a",
            "b")));
        // a read that began before the acknowledgement may be behind
        found(HistoryChecker.check(fixed(appends, List.of(new Read(0, "r", "n2", 1, 19, 26, List.of("a"), 1L)), "a",
            "b")));
    }

    @Test
    void aSavedHistoryLoadsAsItWasAndChecksTheSame(@TempDir final Path dir) throws Exception {
        final List<Append> appends = new ArrayList<>(List.of(ok("a", 2, 1, 0, 1), ok("b", 2, 2, 0, 1)));
        final History.Saved saved = new History.Saved(7, "NONE", Mode.FIXED_ROLES, 3, 1, appends,
            List.of(new Read(0, "r", "n2", 1, 0, 1, List.of("a"), 1L)),
            List.of(new History.Fault(3.5, "KILL_ANY node 2")),
            List.of(new FinalLog("n1", List.of("a"), null), new FinalLog("n2", null, "gone")));
        final Path file = dir.resolve("h.jsonl");
        History.save(saved, file);
        final History.Saved loaded = History.load(file);
        assertEquals(saved, loaded);
        assertEquals(HistoryChecker.check(saved).toString(), HistoryChecker.check(loaded).toString());
        found(HistoryChecker.check(loaded), Kind.LOST, Kind.NON_CONVERGENCE);
    }

    @Test
    void aHistorySavedBeforeFixedRolesHadRunsIsAFailoverClustersOne(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("old.jsonl");
        Files.writeString(file, "{\"seed\":3,\"brokenRule\":\"NONE\",\"nodes\":3,\"finalEpoch\":2,"
            + "\"appends\":[],\"reads\":[],\"faults\":[],\"finalLogs\":[]}\n"
            + "{\"type\":\"read\",\"op\":{\"index\":0,\"process\":\"r\",\"node\":\"n1\",\"from\":1,\"invokeMs\":0,"
            + "\"completeMs\":1,\"values\":[]}}\n");
        final History.Saved old = History.load(file);
        assertEquals(Mode.FAILOVER, old.mode());
        assertEquals(null, old.reads().get(0).lastId()); // not recorded then: nothing is judged by it
        assertTrue(HistoryChecker.check(new History.Saved(3, "NONE", Mode.FIXED_ROLES, 3, 2,
            List.of(ok("a", 3, 1, -2, -1)), old.reads(), List.of(), List.of(new FinalLog("n1", List.of("a"), null))))
            .valid());
    }
}
