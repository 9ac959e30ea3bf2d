package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.replog.protocol.EntryRun;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.replog.node.log.LogEntries.append;
import static io.replog.node.log.LogEntries.appendAndCommit;
import static io.replog.node.log.LogEntries.readAll;
import static io.replog.node.log.LogEntries.run;
import static io.replog.node.log.LogEntries.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link LogStore} promises (the interface's javadoc), run against each implementation by a subclass
 * that says how to make one (Ratis' {@code LogAppenderTests} shape).
 */
abstract class LogStoreContractTest {
    private final List<LogStore> opened = new ArrayList<>();

    /** A new, empty store with segments of about {@code segmentBytes} that refuses to grow past {@code maxBytes}. */
    protected abstract LogStore create(int segmentBytes, long maxBytes) throws Exception;

    protected final LogStore open(final int segmentBytes) throws Exception {
        return open(segmentBytes, Long.MAX_VALUE);
    }

    protected final LogStore open(final int segmentBytes, final long maxBytes) throws Exception {
        final LogStore log = create(segmentBytes, maxBytes);
        opened.add(log);
        return log;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(LogStore::close);
    }

    @Test
    void idsStartAtOneWithoutGaps() throws Exception {
        final LogStore log = open(1 << 20);
        assertEquals(0, log.lastId());
        assertThrows(IllegalArgumentException.class, () -> log.read(0, 10, 100), "ids start at 1, even when empty");
        assertEquals(1, append(log, "a"));
        assertEquals(2, append(log, ""));
        assertEquals(3, append(log, "ccc"));
        log.commit();
        assertEquals(4, appendAndCommit(log, "d"));
        assertEquals(List.of("a", "", "ccc", "d"), readAll(log, 1, 100, 1 << 20));
        assertEquals(List.of("ccc", "d"), readAll(log, 3, 100, 1 << 20));
        final EntryRange past = log.read(5, 10, 100);
        assertEquals(0, past.count(), "past the end is empty");
        past.run().release();
        assertThrows(IllegalArgumentException.class, () -> log.read(0, 10, 100));
    }

    @Test
    void stagedEntriesAreInvisibleUntilCommit() throws Exception {
        final LogStore log = open(1 << 20);
        final List<Long> durable = new ArrayList<>();
        log.durabilityListener(durable::add);
        log.commit(); // nothing staged: nothing happens
        assertEquals(1, append(log, "x"));
        assertEquals(2, append(log, "y"));
        assertEquals(0, log.lastId());
        assertEquals(2, log.appendedId());
        assertEquals(0, log.durableId());
        final EntryRange none = log.read(1, 10, 1 << 20);
        assertEquals(0, none.count(), "staged entries are not readable");
        none.run().release();
        assertTrue(durable.isEmpty());
        log.commit();
        assertEquals(2, log.lastId());
        assertEquals(List.of("x", "y"), readAll(log, 1, 10, 1 << 20));
    }

    @Test
    void readsCrossBatchesAndSegmentsAndRespectCountAndByteLimits() throws Exception {
        final LogStore log = open(256); // a few batches per segment
        final List<String> expected = texts("message-", 1, 500);
        int i = 0;
        while (i < expected.size()) {
            final int batch = Math.min(1 + i % 7, expected.size() - i); // commits of 1..7 entries
            for (int k = 0; k < batch; k++) {
                assertEquals(i + k + 1, append(log, expected.get(i + k)));
            }
            log.commit();
            i += batch;
        }
        assertEquals(expected, readAll(log, 1, 7, 1 << 20));
        assertEquals(expected, readAll(log, 1, 1000, 30));
        assertEquals(expected, readAll(log, 1, 1000, 1 << 20));
        assertEquals(expected.subList(199, 500), readAll(log, 200, 3, 100));
        final EntryRange one = log.read(10, 1000, 1); // a byte limit below one entry still yields one
        assertEquals(1, one.count());
        one.run().release();
    }

    @Test
    void appendRunStoresABatchAcrossSegmentsExactlyLikeOneByOne() throws Exception {
        final LogStore log = open(100);
        final List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            expected.add("entry-" + i + "-" + "x".repeat(i % 40));
        }
        append(log, "first");
        final ByteBuf run = run(expected);
        assertEquals(301, log.appendRun(run, 300, 0));
        assertEquals(0, run.readerIndex(), "the run is not consumed");
        run.release();
        log.commit();
        final List<String> all = new ArrayList<>(List.of("first"));
        all.addAll(expected);
        assertEquals(all, readAll(log, 1, 1000, 1 << 20));
        assertEquals(all.subList(150, 301), readAll(log, 151, 7, 64));
    }

    @Test
    void messageLargerThanASegmentGetsItsOwn() throws Exception {
        final LogStore log = open(64);
        final String big = "x".repeat(1000);
        appendAndCommit(log, "small");
        appendAndCommit(log, big);
        appendAndCommit(log, "after");
        assertEquals(List.of("small", big, "after"), readAll(log, 1, 10, 1 << 20));
    }

    /** Three epochs: 1 for ids 1-3, 2 for 4-5 (4 and 5 in the same commit as 6-7), 5 for 6-7 (replicated). */
    static void threeEpochs(final LogStore log) {
        log.startEpoch(1);
        appendAndCommit(log, "a1", "a2", "a3");
        log.startEpoch(2);
        append(log, "b4");
        append(log, "b5");
        final ByteBuf run = run(List.of("c6", "c7"));
        assertEquals(7, log.appendRun(run, 2, 5));
        run.release();
        log.commit(); // one commit spanning an epoch change
    }

    @Test
    void readsStopAtEpochChanges() throws Exception {
        final LogStore log = open(1 << 20);
        threeEpochs(log);
        final EntryRange first = log.read(1, 100, 1 << 20);
        assertEquals(3, first.count());
        assertEquals(1, first.epoch());
        first.run().release();
        final EntryRange second = log.read(3, 100, 1 << 20);
        assertEquals(1, second.count(), "the range from 3 ends with epoch 1");
        second.run().release();
        final EntryRange third = log.read(4, 100, 1 << 20);
        assertEquals(2, third.count());
        assertEquals(2, third.epoch());
        third.run().release();
        final EntryRange fourth = log.read(6, 100, 1 << 20);
        assertEquals(2, fourth.count());
        assertEquals(5, fourth.epoch());
        fourth.run().release();
        assertEquals(List.of("a1", "a2", "a3", "b4", "b5", "c6", "c7"), readAll(log, 1, 100, 1 << 20));
    }

    @Test
    void epochAtAndEndOfEpochFollowTheEntries() throws Exception {
        final LogStore log = open(1 << 20);
        assertEquals(0, log.epoch());
        threeEpochs(log);
        assertEquals(2, log.epoch(), "appendRun does not start an epoch");
        assertEquals(0, log.epochAt(0));
        assertEquals(List.of(1L, 1L, 1L, 2L, 2L, 5L, 5L),
            List.of(log.epochAt(1), log.epochAt(2), log.epochAt(3), log.epochAt(4), log.epochAt(5), log.epochAt(6),
                log.epochAt(7)));
        assertEquals(0, log.endOfEpoch(0));
        assertEquals(3, log.endOfEpoch(1));
        assertEquals(5, log.endOfEpoch(2));
        assertEquals(5, log.endOfEpoch(4), "an epoch without entries ends where the one before does");
        assertEquals(7, log.endOfEpoch(5));
        assertEquals(7, log.endOfEpoch(9));
    }

    @Test
    void epochsOnlyGoUp() throws Exception {
        final LogStore log = open(1 << 20);
        log.startEpoch(3);
        assertThrows(IllegalArgumentException.class, () -> log.startEpoch(3));
        assertThrows(IllegalArgumentException.class, () -> log.startEpoch(2));
        append(log, "staged");
        assertThrows(IllegalStateException.class, () -> log.startEpoch(4), "nothing may be staged");
        log.commit();
        final ByteBuf run = run(List.of("r"));
        assertEquals(2, log.appendRun(run, 1, 7));
        assertThrows(IllegalArgumentException.class, () -> log.appendRun(run, 1, 6), "below the last entry");
        assertEquals(2, log.appendedId(), "nothing staged by the refused run");
        run.release();
        log.commit();
        assertThrows(IllegalArgumentException.class, () -> log.startEpoch(7), "not above the entries' epoch");
        assertThrows(IllegalArgumentException.class, () -> append(log, "below"), "epoch 3 after entries of 7");
        assertEquals(2, log.appendedId(), "the refused entry was not staged");
        log.startEpoch(8);
        assertEquals(8, log.epoch());
        assertEquals(3, appendAndCommit(log, "eight"));
        assertEquals(List.of("staged", "r", "eight"), readAll(log, 1, 10, 1 << 20));
    }

    @Test
    void truncateAfterCutsCommittedEntriesInsideBatchesAndSegments() throws Exception {
        final LogStore log = open(200);
        log.startEpoch(1);
        for (int b = 0; b < 10; b++) {
            appendAndCommit(log, texts("e", b * 10 + 1, b * 10 + 10).toArray(new String[0]));
        }
        log.startEpoch(2);
        appendAndCommit(log, texts("e", 101, 110).toArray(new String[0]));
        log.truncateAfter(105); // inside a batch of epoch 2; what follows goes into the same segment
        assertEquals(105, log.lastId());
        assertEquals(105, log.appendedId());
        assertEquals(texts("e", 1, 105), readAll(log, 1, 1000, 1 << 20));
        appendAndCommit(log, "n106", "n107");
        final List<String> replaced = texts("e", 1, 105);
        replaced.addAll(List.of("n106", "n107"));
        assertEquals(replaced, readAll(log, 1, 1000, 1 << 20));
        assertEquals(replaced.subList(100, 107), readAll(log, 101, 1000, 1 << 20));
        log.truncateAfter(95); // inside a batch of epoch 1: epoch 2 goes
        assertEquals(95, log.lastId());
        assertEquals(1, log.epochAt(95));
        assertEquals(95, log.endOfEpoch(2));
        assertTrue(log.durableId() <= 95, "durable " + log.durableId());
        log.truncateAfter(90); // at a batch boundary
        assertEquals(texts("e", 1, 90), readAll(log, 1, 1000, 1 << 20));
        log.startEpoch(3);
        appendAndCommit(log, texts("n", 91, 130).toArray(new String[0]));
        final List<String> expected = texts("e", 1, 90);
        expected.addAll(texts("n", 91, 130));
        assertEquals(expected, readAll(log, 1, 1000, 1 << 20));
        assertEquals(expected.subList(80, 130), readAll(log, 81, 3, 20));
        assertEquals(3, log.epochAt(91));
        log.truncateAfter(0);
        assertEquals(0, log.lastId());
        assertEquals(0, log.endOfEpoch(3));
        assertEquals(1, appendAndCommit(log, "again"));
        assertEquals(List.of("again"), readAll(log, 1, 10, 1 << 20));
    }

    @Test
    void truncateAfterCutsStagedEntries() throws Exception {
        final LogStore log = open(1 << 20);
        appendAndCommit(log, "1", "2", "3");
        append(log, "4");
        append(log, "5");
        append(log, "6");
        log.truncateAfter(4);
        assertEquals(4, log.appendedId());
        assertEquals(3, log.lastId());
        assertEquals(5, append(log, "5b"));
        log.commit();
        assertEquals(List.of("1", "2", "3", "4", "5b"), readAll(log, 1, 10, 1 << 20));
        log.truncateAfter(9); // beyond the end: nothing happens
        assertEquals(5, log.lastId());
    }

    @Test
    void theSizeLimitIsAllOrNothing() throws Exception {
        final LogStore log = open(1 << 20, 400);
        long committed = 0;
        try {
            while (true) {
                append(log, "0123456789");
                log.commit();
                committed++;
            }
        } catch (LogFullException expected) {
            // the limit is reached
        }
        assertTrue(committed > 3 && committed < 40, committed + " entries of 14 bytes under 400");
        assertEquals(committed, log.lastId());
        assertEquals(committed, log.appendedId(), "the refused entry was not staged");
        final ByteBuf run = run(texts("r", 1, 30));
        assertThrows(LogFullException.class, () -> log.appendRun(run, 30, 0));
        run.release();
        assertEquals(committed, log.appendedId(), "nothing of the refused run was staged");
        log.commit();
        assertEquals(committed, readAll(log, 1, 1000, 1 << 20).size(), "reads still work");
    }

    @Test
    void theDurabilityListenerHearsIncreasingPositions() throws Exception {
        final LogStore log = open(256);
        final ConcurrentLinkedQueue<long[]> heard = new ConcurrentLinkedQueue<>();
        log.durabilityListener(id -> heard.add(new long[] {id, log.lastId()}));
        for (int i = 1; i <= 50; i++) {
            appendAndCommit(log, texts("d", i * 3, i * 3 + 2).toArray(new String[0]));
            assertTrue(log.durableId() <= log.lastId());
        }
        Await.until("everything durable", () -> log.durableId() == 150);
        Await.until("the listener heard 150", () -> !heard.isEmpty() && lastOf(heard)[0] == 150);
        long previous = 0;
        for (final long[] call : heard) {
            assertTrue(call[0] > previous, "increasing: " + call[0] + " after " + previous);
            assertTrue(call[0] <= call[1], "durable " + call[0] + " beyond committed " + call[1]);
            previous = call[0];
        }
        log.durabilityListener(null);
        appendAndCommit(log, "after");
        Await.until("durable without a listener", () -> log.durableId() == 151);
    }

    private static long[] lastOf(final ConcurrentLinkedQueue<long[]> queue) {
        long[] last = null;
        for (final long[] item : queue) {
            last = item;
        }
        return last;
    }

    @Test
    void aLogIdIsAdoptedOnlyWhileEmpty() throws Exception {
        final LogStore log = open(1 << 20);
        log.adoptLogId(0x1234);
        assertEquals(0x1234, log.logId());
        appendAndCommit(log, "x");
        assertThrows(IllegalStateException.class, () -> log.adoptLogId(0x5678));
        assertEquals(0x1234, log.logId());
    }

    @Test
    void readersRunningBesideTheWriterOnlySeeCompleteEntries() throws Exception {
        final LogStore log = open(4096);
        final int total = 100_000;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong next = new AtomicLong(1);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread reader = new Thread(() -> {
            try {
                while (next.get() <= total && !stop.get()) {
                    final EntryRange range = log.read(next.get(), 1000, 1 << 16);
                    final long first = range.firstId();
                    try {
                        if (range.lastId() > log.lastId()) {
                            throw new AssertionError("read up to " + range.lastId() + " beyond " + log.lastId());
                        }
                        EntryRun.forEach(range.run(), range.count(), (i, p) -> {
                            final String expected = "m" + (first + i);
                            final String actual = p.toString(StandardCharsets.UTF_8);
                            if (!expected.equals(actual)) {
                                throw new AssertionError("id " + (first + i) + " holds " + actual);
                            }
                        });
                    } finally {
                        range.run().release();
                    }
                    next.addAndGet(range.count());
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "log-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            int i = 1;
            while (i <= total) {
                final int batch = Math.min(1 + i % 37, total - i + 1);
                for (int k = 0; k < batch; k++, i++) {
                    append(log, "m" + i);
                }
                log.commit();
            }
            reader.join(Await.DEFAULT.toMillis());
            assertNull(failure.get());
            assertFalse(reader.isAlive(), "the reader must see every entry; it is stuck at msg_id " + next.get()
                + " of " + total);
        } finally {
            stop.set(true); // a stuck reader must not spin on after the test
            reader.join(Await.DEFAULT.toMillis());
        }
    }
}
