package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.replog.node.log.LogEntries.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Epoch marks (count-0 batches, a failover master's first entry in its epoch): they take no msg_id and no reader
 * sees them, yet they are committed, made durable, cut and recovered like any batch, a mark at the log's tail too.
 */
class EpochMarkTest {
    private static final FileLogOptions NEVER = FileLogOptions.defaults().flushPolicy(FlushPolicy.NEVER);

    @TempDir
    Path dir;

    private static FileLogStore open(final Path path, final FileLogOptions options) {
        try {
            return FileLogStore.open(path, options);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void appendRun(final LogStore log, final long epoch, final String... texts) {
        final ByteBuf run = LogEntries.run(List.of(texts));
        try {
            log.appendRun(run, texts.length, epoch);
        } finally {
            run.release();
        }
    }

    /** mark 1, a, b (epoch 1), mark 2 at the tail: the log's last batch is a mark. */
    private static void writeEndingInAMark(final LogStore log) {
        log.appendMark(1);
        appendRun(log, 1, "a", "b");
        log.commit();
        log.appendMark(2);
        log.commit();
    }

    @Test
    void marksTakeNoMsgIdAndSurviveACleanRestart() {
        try (FileLogStore log = open(dir, NEVER)) {
            writeEndingInAMark(log);
            assertEquals(2, log.lastId(), "marks take no msg_id");
            assertArrayEquals(new long[] {1, 1, 2, 3}, log.marks());
            assertEquals(2, log.durableMarks());
            assertEquals(List.of("a", "b"), readAll(log, 1, 100, 1 << 20));
        }
        try (FileLogStore log = open(dir, NEVER)) {
            assertArrayEquals(new long[] {1, 1, 2, 3}, log.marks(), "the mark at the tail is in the recovery point");
            appendRun(log, 2, "c");
            log.commit();
            assertEquals(List.of("a", "b", "c"), readAll(log, 1, 100, 1 << 20));
            assertEquals(2, log.epochAt(3));
        }
    }

    @Test
    void aMarkAtTheTailIsRecoveredAfterACrash() {
        final FileLogStore crashed = open(dir, NEVER);
        writeEndingInAMark(crashed);
        crashed.halt(); // no recovery point at the end: recovery scans the batches, the count-0 one too
        try (FileLogStore log = open(dir, NEVER)) {
            assertArrayEquals(new long[] {1, 1, 2, 3}, log.marks());
            assertEquals(2, log.lastId());
            assertEquals(List.of("a", "b"), readAll(log, 1, 100, 1 << 20));
        }
    }

    @Test
    void aTornMarkIsCutAsATornTail() throws IOException {
        final FileLogStore crashed = open(dir, NEVER);
        writeEndingInAMark(crashed);
        crashed.halt();
        final Path segment = LogFiles.lastSegment(dir);
        LogFiles.truncate(segment, Files.size(segment) - 10); // the mark's write was cut short by the crash
        try (FileLogStore log = open(dir, NEVER)) {
            assertArrayEquals(new long[] {1, 1}, log.marks(), "the torn mark is gone");
            assertEquals(List.of("a", "b"), readAll(log, 1, 100, 1 << 20));
            log.appendMark(2); // and the epoch can start again
            log.commit();
        }
        try (FileLogStore log = open(dir, NEVER)) {
            assertArrayEquals(new long[] {1, 1, 2, 3}, log.marks());
        }
    }

    @Test
    void aTruncationCutsOrKeepsTheMarksBeforeTheNextMsgId() {
        try (FileLogStore log = open(dir, NEVER)) {
            writeEndingInAMark(log);
            log.appendMark(3); // epoch 2 wrote nothing: two marks before msg_id 3
            appendRun(log, 3, "c");
            log.commit();
            log.truncateAfter(2, 1); // keep mark 2, cut mark 3 and c
            assertEquals(2, log.lastId());
            assertArrayEquals(new long[] {1, 1, 2, 3}, log.marks());
            assertEquals(2, log.durableMarks(), "the kept mark is durable again when the cut returns");
        }
        try (FileLogStore log = open(dir, NEVER)) {
            assertArrayEquals(new long[] {1, 1, 2, 3}, log.marks());
            log.truncateAfter(2); // the plain cut after msg_id 2 takes the mark before msg_id 3 too
            assertArrayEquals(new long[] {1, 1}, log.marks());
        }
        try (FileLogStore log = open(dir, NEVER)) {
            assertArrayEquals(new long[] {1, 1}, log.marks());
            assertEquals(List.of("a", "b"), readAll(log, 1, 100, 1 << 20));
        }
    }

    @Test
    void aMarkAloneBecomesDurableAndIsReported() {
        final AtomicLong reports = new AtomicLong();
        try (FileLogStore log = open(dir, FileLogOptions.defaults().flushPolicy(FlushPolicy.BATCH))) {
            log.durabilityListener(id -> reports.incrementAndGet());
            log.appendMark(1);
            log.commit();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.durableMarks() < 1 || reports.get() == 0) {
                if (System.nanoTime() > deadline) {
                    fail("the mark was not made durable within 10 s: " + log.durableMarks() + " durable marks, "
                        + reports.get() + " reports");
                }
                Thread.onSpinWait();
            }
            assertEquals(0, log.durableId());
        }
    }

    @Test
    void aMarkDoesNotJoinTheBatchBeforeOrAfterIt() throws IOException {
        try (FileLogStore log = open(dir, NEVER)) {
            appendRun(log, 1, "a");
            log.appendMark(2);
            appendRun(log, 2, "b");
            log.commit(); // one commit, three batches: a | mark | b
        }
        assertEquals(3, LogFiles.batchPositions(LogFiles.lastSegment(dir)).size());
        try (FileLogStore log = open(dir, NEVER)) {
            assertArrayEquals(new long[] {2, 2}, log.marks());
            assertEquals(List.of("a", "b"), readAll(log, 1, 100, 1 << 20));
        }
    }

    @Test
    void aSegmentRollNeverSeparatesAMarkFromWhatFollows() {
        final FileLogOptions small = NEVER.segmentBytes(200);
        final FileLogStore crashed = open(dir, small);
        for (int epoch = 1; epoch <= 20; epoch++) {
            crashed.appendMark(epoch);
            crashed.commit();
            appendRun(crashed, epoch, "x".repeat(60) + epoch);
            crashed.commit();
        }
        assertEquals(20, crashed.marks().length / 2);
        crashed.halt(); // recovery starts from the last roll's recovery point: every mark after it must be scanned
        try (FileLogStore log = open(dir, small)) {
            assertEquals(20, log.marks().length / 2, "every mark recovered");
            assertEquals(20, log.lastId());
            assertTrue(readAll(log, 1, 100, 1 << 20).get(19).endsWith("20"));
        }
    }

    @Test
    void aLogInMemoryKeepsItsMarksTheSameWay() {
        final MemoryLogStore log = new MemoryLogStore();
        final AtomicLong reports = new AtomicLong();
        log.durabilityListener(id -> reports.incrementAndGet());
        writeEndingInAMark(log);
        assertEquals(2, reports.get(), "a commit of a mark alone is reported durable too");
        assertEquals(2, log.lastId());
        assertArrayEquals(new long[] {1, 1, 2, 3}, log.marks());
        assertEquals(2, log.durableMarks());
        log.appendMark(3);
        appendRun(log, 3, "c");
        log.commit();
        log.truncateAfter(2, 1);
        assertArrayEquals(new long[] {1, 1, 2, 3}, log.marks());
        assertEquals(List.of("a", "b"), readAll(log, 1, 100, 1 << 20));
        log.truncateAfter(2);
        assertArrayEquals(new long[] {1, 1}, log.marks());
    }
}
