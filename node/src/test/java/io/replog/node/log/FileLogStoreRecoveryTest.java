package io.replog.node.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.replog.node.log.LogEntries.append;
import static io.replog.node.log.LogEntries.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a FileLogStore finds when it opens files that a crash or a disk damaged: a torn tail is cut to the complete
 * batches before it, damage in the middle of the log is never served (refused or cut, by policy), and a clean
 * restart keeps everything.
 */
class FileLogStoreRecoveryTest {
    private static final int PER_BATCH = 3;
    private static final FileLogOptions OPTIONS = FileLogOptions.defaults().flushPolicy(FlushPolicy.NEVER);

    @TempDir
    Path dir;

    /** Commits batches {@code from..to}, {@link #PER_BATCH} entries each. */
    private static void write(final LogStore log, final int from, final int to) {
        for (int b = from; b <= to; b++) {
            for (int e = 1; e <= PER_BATCH; e++) {
                append(log, "batch" + b + "-entry" + e);
            }
            log.commit();
        }
    }

    /** What batches {@code from..to} hold. */
    private static List<String> entries(final int from, final int to) {
        final List<String> out = new ArrayList<>();
        for (int b = from; b <= to; b++) {
            for (int e = 1; e <= PER_BATCH; e++) {
                out.add("batch" + b + "-entry" + e);
            }
        }
        return out;
    }

    private static List<String> concat(final List<String> a, final List<String> b) {
        final List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static void assertHolds(final LogStore log, final List<String> expected) {
        assertEquals(expected.size(), log.lastId());
        assertEquals(expected, readAll(log, 1, 1000, 1 << 20));
    }

    /** Reopens {@code copy}, expects {@code batches} complete batches, appends one more and checks it survives. */
    private static void recoversAndCarriesOn(final Path copy, final int batches, final FileLogOptions options) {
        try (FileLogStore log = open(copy, options)) {
            assertHolds(log, entries(1, batches));
            write(log, 100, 100);
        }
        try (FileLogStore log = open(copy, options)) {
            assertHolds(log, concat(entries(1, batches), entries(100, 100)));
        }
    }

    private static FileLogStore open(final Path path, final FileLogOptions options) {
        try {
            return FileLogStore.open(path, options);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aTornLastBatchIsCutAtEveryOffset() throws Exception {
        final Path original = dir.resolve("original");
        try (FileLogStore log = FileLogStore.open(original, OPTIONS)) {
            log.startEpoch(1);
            write(log, 1, 4); // a clean close: the recovery point is after batch 4
        }
        final FileLogStore crashed = FileLogStore.open(original, OPTIONS);
        write(crashed, 5, 5);
        crashed.halt(); // kill -9: batch 5 is after the recovery point
        final Path segment = LogFiles.lastSegment(original);
        final List<Long> positions = LogFiles.batchPositions(segment);
        assertEquals(5, positions.size());
        final long start = positions.get(4);
        for (long cut = start; cut < Files.size(segment); cut++) {
            final Path copy = LogFiles.copy(original, dir.resolve("cut-" + cut));
            LogFiles.truncate(copy.resolve(segment.getFileName()), cut);
            recoversAndCarriesOn(copy, 4, OPTIONS);
        }
        recoversAndCarriesOn(LogFiles.copy(original, dir.resolve("whole")), 5, OPTIONS);
    }

    @Test
    void zerosOrGarbageAfterACompleteLogAreCut() throws Exception {
        final Path original = dir.resolve("original");
        final FileLogStore crashed = FileLogStore.open(original, OPTIONS);
        write(crashed, 1, 3);
        crashed.halt(); // no recovery point at all: everything is scanned
        final Path segment = LogFiles.lastSegment(original);
        final long size = Files.size(segment);
        final Random random = new Random(42);
        final List<byte[]> tails = new ArrayList<>(List.of(new byte[1], new byte[35], new byte[36], new byte[4096]));
        for (int i = 0; i < 20; i++) {
            final byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            tails.add(garbage);
        }
        // a well-formed header claiming more than the file holds, and a whole batch whose CRC does not match
        final byte[] header = java.nio.ByteBuffer.allocate(60).putInt(1000).putInt(7).putLong(10).putInt(1)
            .putLong(0).putLong(0).array();
        tails.add(header);
        final byte[] lastBatch = Files.readAllBytes(segment);
        final byte[] copyOfFirst = java.util.Arrays.copyOfRange(lastBatch, 0,
            LogFiles.batchPositions(segment).get(1).intValue());
        copyOfFirst[copyOfFirst.length - 1] ^= 1;
        tails.add(copyOfFirst);
        int n = 0;
        for (final byte[] tail : tails) {
            final Path copy = LogFiles.copy(original, dir.resolve("tail-" + n++));
            LogFiles.appendBytes(copy.resolve(segment.getFileName()), tail);
            try (FileLogStore log = FileLogStore.open(copy, OPTIONS)) {
                assertEquals(size, Files.size(copy.resolve(segment.getFileName())), "tail of " + tail.length);
                assertHolds(log, entries(1, 3));
            }
            recoversAndCarriesOn(copy, 3, OPTIONS);
        }
    }

    /** Six batches (18 entries) in one segment, the last store stopped without a recovery point. */
    private Path sixBatches(final FileLogOptions options) throws Exception {
        final Path original = dir.resolve("original");
        final FileLogStore crashed = FileLogStore.open(original, options);
        write(crashed, 1, 6);
        crashed.halt();
        Files.deleteIfExists(original.resolve(RecoveryCheckpoint.FILE_NAME));
        return original;
    }

    @Test
    void aFlippedByteInTheMiddleIsRefusedOrCutByPolicy() throws Exception {
        final Path original = sixBatches(OPTIONS);
        final Path segment = LogFiles.lastSegment(original);
        final long third = LogFiles.batchPositions(segment).get(2);
        final long fourth = LogFiles.batchPositions(segment).get(3);
        // every header field, the first entry's length, a payload byte, the batch's last byte
        for (final long offset : new long[] {0, 3, 4, 8, 16, 20, 28, 36, 41, fourth - third - 1}) {
            final Path copy = LogFiles.copy(original, dir.resolve("flip-" + offset));
            final Path damaged = copy.resolve(segment.getFileName());
            LogFiles.flip(damaged, third + offset);
            final CorruptLogException refused = assertThrows(CorruptLogException.class,
                () -> FileLogStore.open(copy, OPTIONS.corruptionPolicy(CorruptionPolicy.FAIL)));
            assertEquals(damaged, refused.file());
            assertEquals(third, refused.offset(), "flip at +" + offset);
            assertTrue(refused.getMessage().contains(damaged + ": damaged batch at byte offset " + third),
                refused.getMessage());
            assertTrue(refused.getMessage().contains("move the data directory"), refused.getMessage());
            assertTrue(refused.getMessage().contains("truncate " + damaged + " at offset " + third),
                refused.getMessage());
            recoversAndCarriesOn(copy, 2, OPTIONS.corruptionPolicy(CorruptionPolicy.TRUNCATE));
        }
    }

    @Test
    void aFlippedByteInASealedSegmentCutsEveryLaterSegment() throws Exception {
        final FileLogOptions small = OPTIONS.segmentBytes(256);
        final Path original = sixBatches(small);
        final List<Path> segments = LogFiles.segments(original);
        assertTrue(segments.size() >= 3, "segments " + segments);
        final Path first = segments.get(0);
        final List<Long> positions = LogFiles.batchPositions(first);
        final long last = positions.get(positions.size() - 1);
        LogFiles.flip(first, last + 40); // the last batch of the first segment: nothing after it in that file
        assertThrows(CorruptLogException.class,
            () -> FileLogStore.open(original, small.corruptionPolicy(CorruptionPolicy.FAIL)));
        recoversAndCarriesOn(original, positions.size() - 1, small.corruptionPolicy(CorruptionPolicy.TRUNCATE));
    }

    @Test
    void aMissingFirstSegmentIsDamage() throws Exception {
        final FileLogOptions small = OPTIONS.segmentBytes(256);
        final Path path = dir.resolve("log");
        try (FileLogStore log = FileLogStore.open(path, small)) {
            write(log, 1, 6);
        }
        Files.delete(LogFiles.segments(path).get(0));
        final CorruptLogException e = assertThrows(CorruptLogException.class,
            () -> FileLogStore.open(path, small.corruptionPolicy(CorruptionPolicy.FAIL)));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        recoversAndCarriesOn(path, 0, small.corruptionPolicy(CorruptionPolicy.TRUNCATE));
    }

    @Test
    void damageBeforeTheRecoveryPointIsNeverServed() throws Exception {
        final Path path = dir.resolve("clean");
        try (FileLogStore log = FileLogStore.open(path, OPTIONS)) {
            write(log, 1, 6);
        }
        final Path segment = LogFiles.lastSegment(path);
        final long third = LogFiles.batchPositions(segment).get(2);
        LogFiles.flip(segment, third + 40);
        try (FileLogStore log = FileLogStore.open(path, OPTIONS.corruptionPolicy(CorruptionPolicy.FAIL))) {
            // a clean log is not scanned on open: the damage shows when its batch is read
            assertEquals(18, log.lastId());
            final EntryRange first = log.read(1, 6, 1 << 20);
            assertEquals(6, first.count());
            first.run().release();
            for (final long id : new long[] {7, 8, 9}) {
                final CorruptLogException e = assertThrows(CorruptLogException.class, () -> log.read(id, 10, 1000));
                assertEquals(third, e.offset());
                assertTrue(e.getMessage().contains(segment + ": damaged batch at byte offset " + third),
                    e.getMessage());
            }
            final EntryRange before = log.read(4, 100, 1 << 20);
            assertEquals(3, before.count(), "a read stops before the damaged batch");
            before.run().release();
            final EntryRange after = log.read(10, 100, 1 << 20);
            assertEquals(9, after.count());
            after.run().release();
        }
    }

    @Test
    void aRestartKeepsTheLogIdTheEpochsTheEntriesAndTheDurablePositions() throws Exception {
        final Path path = dir.resolve("log");
        final List<String> expected;
        try (FileLogStore log = FileLogStore.open(path, FileLogOptions.defaults().segmentBytes(300))) {
            log.adoptLogId(0xabcdef);
            log.startEpoch(1);
            write(log, 1, 2);
            final io.netty.buffer.ByteBuf run = LogEntries.run(List.of("r1", "r2"));
            log.appendRun(run, 2, 3);
            run.release();
            log.commit();
            log.startEpoch(4);
            write(log, 3, 3);
            io.replog.testing.Await.until("durable", () -> log.durableId() == 11);
            expected = concat(concat(entries(1, 2), List.of("r1", "r2")), entries(3, 3));
            assertHolds(log, expected);
        }
        try (FileLogStore log = FileLogStore.open(path, OPTIONS.segmentBytes(300))) {
            assertSameState(log, expected, 11);
            write(log, 4, 4);
        }
        final FileLogStore crashed = FileLogStore.open(path, OPTIONS.segmentBytes(300));
        write(crashed, 5, 5);
        crashed.startEpoch(5);
        crashed.halt();
        try (FileLogStore log = FileLogStore.open(path, OPTIONS.segmentBytes(300))) {
            assertSameState(log, concat(expected, entries(4, 5)), 17);
            assertEquals(5, log.epoch(), "an epoch started is kept even without entries");
        }
    }

    private static void assertSameState(final FileLogStore log, final List<String> expected, final long last) {
        assertEquals(0xabcdef, log.logId());
        assertTrue(log.epoch() >= 4);
        assertEquals(last, log.lastId());
        assertEquals(last, log.durableId(), "what was recovered is durable");
        assertHolds(log, expected);
        assertEquals(1, log.epochAt(6));
        assertEquals(3, log.epochAt(7));
        assertEquals(3, log.epochAt(8));
        assertEquals(4, log.epochAt(9));
        assertEquals(6, log.endOfEpoch(2));
        assertEquals(8, log.endOfEpoch(3));
        assertEquals(last, log.endOfEpoch(4));
    }

    @Test
    void aTruncationIsOnDiskWhenItReturns() throws Exception {
        final Path path = dir.resolve("log");
        final FileLogOptions small = OPTIONS.segmentBytes(200).corruptionPolicy(CorruptionPolicy.FAIL);
        FileLogStore log = FileLogStore.open(path, small);
        write(log, 1, 8);
        log.truncateAfter(20); // the middle of batch 7, which becomes a batch of two with a CRC of its own
        log.halt();
        log = FileLogStore.open(path, small);
        assertHolds(log, entries(1, 7).subList(0, 20));
        log.close();
        Files.delete(path.resolve(RecoveryCheckpoint.FILE_NAME)); // the files alone must say so
        log = FileLogStore.open(path, small);
        assertHolds(log, entries(1, 7).subList(0, 20));
        log.truncateAfter(15); // a batch boundary
        log.halt();
        log = FileLogStore.open(path, small);
        assertHolds(log, entries(1, 5));
        final List<Path> segments = LogFiles.segments(path);
        log.truncateAfter(Long.parseLong(segments.get(1).getFileName().toString().substring(0, 20)) - 1);
        log.halt();
        assertEquals(segments.subList(0, 1), LogFiles.segments(path), "later segment files are deleted");
        log = FileLogStore.open(path, small);
        write(log, 9, 9);
        log.close();
        log = FileLogStore.open(path, small);
        assertEquals(entries(9, 9), readAll(log, log.lastId() - 2, 10, 1 << 20));
        log.close();
    }
}
