package io.replog.tools;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison of one node's log with the master's, on logs made up in memory: each kind of fault alone. */
class LogDiffTest {
    /** A whole log in memory, every message with its bytes. */
    private static final class ListWindow implements LogDiff.Window {
        private final List<LogDiff.Entry> entries = new ArrayList<>();

        ListWindow(final List<String> messages) {
            for (int k = 0; k < messages.size(); k++) {
                entries.add(new LogDiff.Entry(k + 1, messages.get(k).getBytes(StandardCharsets.UTF_8)));
            }
        }

        @Override
        public LogDiff.Entry need(final long id) {
            return peek(id);
        }

        @Override
        public LogDiff.Entry peek(final long id) {
            return id >= 1 && id <= entries.size() ? entries.get((int) id - 1) : null;
        }
    }

    /** Walks the master's msg_ids as verify does. */
    private static LogDiff diff(final List<String> master, final List<String> node, final int window) {
        final LogDiff diff = new LogDiff(window);
        final ListWindow m = new ListWindow(master);
        final ListWindow n = new ListWindow(node);
        for (long i = 1; i <= master.size() && diff.active(); i++) {
            diff.step(i, m, n);
        }
        diff.finish();
        return diff;
    }

    private static LogDiff diff(final List<String> master, final List<String> node) {
        return diff(master, node, 64);
    }

    private static List<String> log(final int count) {
        final List<String> log = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            log.add("message " + k);
        }
        return log;
    }

    /** gaps, duplicates, reordered, changed, extra. */
    private static void assertCounts(final LogDiff d, final long gaps, final long duplicates, final long reordered,
                                     final long changed, final long extra) {
        final String all = "gaps " + d.gaps() + ", duplicates " + d.duplicates() + ", reordered " + d.reordered()
            + ", changed " + d.changed() + ", extra " + d.extra();
        assertEquals(gaps, d.gaps(), all);
        assertEquals(duplicates, d.duplicates(), all);
        assertEquals(reordered, d.reordered(), all);
        assertEquals(changed, d.changed(), all);
        assertEquals(extra, d.extra(), all);
    }

    @Test
    void theSameLogHasNoDifference() {
        final LogDiff d = diff(log(1000), log(1000));
        assertEquals(0, d.firstDifference());
        assertEquals(1000, d.aligned());
        assertCounts(d, 0, 0, 0, 0, 0);
    }

    @Test
    void aShorterPrefixIsNoDifferenceAndItsMissingTailIsNotAGap() {
        final LogDiff d = diff(log(1000), log(600));
        assertEquals(0, d.firstDifference());
        assertTrue(d.nodeEnded());
        assertEquals(600, d.aligned());
        assertCounts(d, 0, 0, 0, 0, 0);
    }

    @Test
    void aMessageStoredTwiceIsOneDuplicate() {
        final List<String> node = log(100);
        node.add(40, "message 40"); // msg_ids 40 and 41 both hold "message 40"
        final LogDiff d = diff(log(100), node);
        assertEquals(41, d.firstDifference());
        assertCounts(d, 0, 1, 0, 0, 0);
        assertEquals(100, d.aligned());
    }

    @Test
    void aMessageLostIsOneGap() {
        final List<String> node = log(100);
        node.remove("message 30");
        final LogDiff d = diff(log(100), node);
        assertEquals(30, d.firstDifference());
        assertCounts(d, 1, 0, 0, 0, 0);
        assertEquals(99, d.aligned());
    }

    @Test
    void aMessageLostNearTheEndIsAGapWhenTheWalkEnds() {
        final List<String> node = log(100);
        node.remove("message 98");
        final LogDiff d = diff(log(100), node);
        assertEquals(98, d.firstDifference());
        assertCounts(d, 1, 0, 0, 0, 0);
    }

    @Test
    void twoSwappedMessagesAreOneReordered() {
        final List<String> node = log(100);
        node.set(49, "message 51");
        node.set(50, "message 50");
        final LogDiff d = diff(log(100), node);
        assertEquals(50, d.firstDifference());
        assertCounts(d, 0, 0, 1, 0, 0);
    }

    @Test
    void aMessageMovedEarlierIsOneReorderedEvenAtTheNodesEnd() {
        final List<String> node = log(10);
        node.remove("message 10");
        node.add(0, "message 10");
        final LogDiff d = diff(log(10), node);
        assertEquals(1, d.firstDifference());
        assertCounts(d, 0, 0, 1, 0, 0);
        final List<String> longer = log(12);
        longer.remove("message 10");
        longer.add(2, "message 10");
        assertCounts(diff(log(12), longer), 0, 0, 1, 0, 0);
    }

    @Test
    void otherBytesInPlaceOfAMessageAreOneChanged() {
        final List<String> node = log(100);
        node.set(69, "message 7O"); // a letter O for a zero
        final LogDiff d = diff(log(100), node);
        assertEquals(70, d.firstDifference());
        assertCounts(d, 0, 0, 0, 1, 0);
        assertEquals(99, d.aligned());
    }

    @Test
    void aMessageTheMasterDoesNotHaveInsertedIsOneExtra() {
        final List<String> node = log(100);
        node.add(20, "not from the master");
        final LogDiff d = diff(log(100), node);
        assertEquals(21, d.firstDifference());
        assertCounts(d, 0, 0, 0, 0, 1);
    }

    @Test
    void aBatchLostOrStoredTwiceIsCountedMessageByMessage() {
        final List<String> lost = log(1000);
        lost.subList(300, 400).clear(); // msg_ids 301..400
        final LogDiff gap = diff(log(1000), lost, 128);
        assertEquals(301, gap.firstDifference());
        assertCounts(gap, 100, 0, 0, 0, 0);
        assertEquals(900, gap.aligned());

        final List<String> twice = log(1000);
        twice.addAll(500, log(1000).subList(400, 500)); // 401..500 again after 500
        final LogDiff dup = diff(log(1000), twice, 128);
        assertEquals(501, dup.firstDifference());
        assertCounts(dup, 0, 100, 0, 0, 0);
        assertEquals(1000, dup.aligned());
    }

    @Test
    void separateFaultsAddUp() {
        final List<String> node = log(1000);
        node.set(899, "flipped");                // 900 changed
        node.remove(700);                        // 701 lost
        node.add(500, "message 500");            // 500 twice
        node.add(100, "stranger");               // an extra after 100
        final LogDiff d = diff(log(1000), node);
        assertEquals(101, d.firstDifference());
        assertCounts(d, 1, 1, 0, 1, 1);
    }

    @Test
    void unrelatedLogsAreComparedOnlyAWindowPastTheirLastCommonMessage() {
        final List<String> other = log(10);
        for (int k = 11; k <= 10_000; k++) {
            other.add("other " + k);
        }
        final LogDiff d = diff(log(10_000), other, 50);
        assertEquals(11, d.firstDifference());
        assertEquals(11, d.unrelatedFrom());
        assertFalse(d.active());
        assertEquals(51, d.changed(), "stopped after the window");
    }

    @Test
    void aDifferenceBeyondTheWindowIsStillFoundAndCounted() {
        final List<String> node = log(1000);
        node.subList(100, 400).clear(); // 300 lost: more than the window of 64 can re-align
        final LogDiff d = diff(log(1000), node);
        assertEquals(101, d.firstDifference());
        assertTrue(d.changed() > 0, "counted as changed when no re-alignment is in reach");
    }

    @Test
    void alignedMessagesAreComparedByteByByteAndPassedOnesByHash() {
        final LogDiff.Entry a = new LogDiff.Entry(1, "same".getBytes(StandardCharsets.UTF_8));
        final LogDiff.Entry b = new LogDiff.Entry(1, "same".getBytes(StandardCharsets.UTF_8));
        final LogDiff.Entry c = new LogDiff.Entry(1, "sane".getBytes(StandardCharsets.UTF_8));
        assertTrue(LogDiff.same(a, b));
        assertFalse(LogDiff.same(a, c));
        b.payload = null;
        assertTrue(LogDiff.same(a, b));
    }

    @Test
    void theHashTellsApartMessagesThatDifferInOneByteAnywhere() {
        final Set<Long> hashes = new HashSet<>();
        final byte[] base = new byte[37];
        hashes.add(LogDiff.hash(base));
        for (int k = 0; k < base.length; k++) {
            final byte[] flipped = base.clone();
            flipped[k] = 1;
            assertTrue(hashes.add(LogDiff.hash(flipped)), "byte " + k);
        }
        assertNotEquals(LogDiff.hash(new byte[0]), LogDiff.hash(new byte[1]));
        assertNotEquals(LogDiff.hash(new byte[8]), LogDiff.hash(new byte[9]));
    }
}
