package io.replog.node.history;

import io.replog.node.history.CheckReport.Kind;
import io.replog.node.history.History.Append;
import io.replog.node.history.History.FinalLog;
import io.replog.node.history.History.Outcome;
import io.replog.node.history.History.Read;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        final List<String> values = Arrays.asList(log);
        return new History.Saved(1, "NONE", 3, 2, appends, reads, List.of(),
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
            List.of(new Read(0, "r", "n2", 1, 5, 6, List.of("a", "b"))),
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
        found(HistoryChecker.check(run(List.of(ok("a", 1, 1, 0, 1)), List.of(), "", "a")), Kind.PHANTOM,
            Kind.MOVED);
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
        found(HistoryChecker.check(run(appends, List.of(new Read(0, "r", "n2", 2, 0, 1, List.of("x"))), "a", "b")),
            Kind.STALE_READ);
        found(HistoryChecker.check(run(appends, List.of(new Read(0, "r", "n2", 2, 0, 1, List.of("b", "c"))), "a",
            "b")), Kind.STALE_READ);
        found(HistoryChecker.check(run(appends, List.of(new Read(0, "r", "n2", 1, 0, 1, List.of("a", "b"))), "a",
            "b")));
    }

    @Test
    void nodesThatDisagreeDidNotConverge() {
        final List<Append> appends = List.of(ok("a", 1, 1, 0, 1), ok("b", 1, 2, 0, 1));
        final History.Saved differ = new History.Saved(1, "NONE", 3, 2, appends, List.of(), List.of(),
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
    void aSavedHistoryLoadsAsItWasAndChecksTheSame(@TempDir final Path dir) throws Exception {
        final List<Append> appends = new ArrayList<>(List.of(ok("a", 2, 1, 0, 1), ok("b", 2, 2, 0, 1)));
        final History.Saved saved = new History.Saved(7, "NONE", 3, 1, appends,
            List.of(new Read(0, "r", "n2", 1, 0, 1, List.of("a"))), List.of(new History.Fault(3.5, "KILL_ANY node 2")),
            List.of(new FinalLog("n1", List.of("a"), null), new FinalLog("n2", null, "gone")));
        final Path file = dir.resolve("h.jsonl");
        History.save(saved, file);
        final History.Saved loaded = History.load(file);
        assertEquals(saved, loaded);
        assertEquals(HistoryChecker.check(saved).toString(), HistoryChecker.check(loaded).toString());
        found(HistoryChecker.check(loaded), Kind.LOST, Kind.NON_CONVERGENCE);
    }
}
