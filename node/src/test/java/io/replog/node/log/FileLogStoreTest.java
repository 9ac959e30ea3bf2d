package io.replog.node.log;

import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.replog.node.log.LogEntries.append;
import static io.replog.node.log.LogEntries.appendAndCommit;
import static io.replog.node.log.LogEntries.readAll;
import static io.replog.node.log.LogEntries.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file store's own promises beyond the contract: its files, its lock, its failures, its memory. */
class FileLogStoreTest {
    private static final FileLogOptions NEVER = FileLogOptions.defaults().flushPolicy(FlushPolicy.NEVER);

    @TempDir
    Path dir;

    /** Real writes, except that an armed write stores only a few bytes and then fails like the OS would. */
    static final class FailingWrites implements FileIo {
        volatile String failure;

        @Override
        public void write(final FileChannel channel, final ByteBuffer source, final long position)
            throws IOException {
            final String message = failure;
            if (message != null) {
                FileIo.REAL.write(channel, source.limit(source.position() + Math.min(source.remaining(), 10)),
                    position);
                throw new IOException(message);
            }
            FileIo.REAL.write(channel, source, position);
        }

        @Override
        public void force(final FileChannel channel) throws IOException {
            FileIo.REAL.force(channel);
        }
    }

    private static String name(final long baseId) {
        return String.format("%020d.log", baseId);
    }

    @Test
    void segmentsAreNamedByTheirFirstIdAndRollAtTheSegmentSize() throws Exception {
        final Path path = dir.resolve("log");
        try (FileLogStore log = FileLogStore.open(path, NEVER.segmentBytes(200))) {
            for (int b = 0; b < 10; b++) {
                appendAndCommit(log, texts("entry-", b * 3 + 1, b * 3 + 3).toArray(new String[0]));
            }
            appendAndCommit(log, "x".repeat(500)); // larger than a segment: a file of its own
            appendAndCommit(log, "after");
        }
        final List<Path> segments = LogFiles.segments(path);
        long expectedBase = 1;
        for (final Path segment : segments) {
            assertEquals(name(expectedBase), segment.getFileName().toString());
            final List<Long> batches = LogFiles.batchPositions(segment);
            assertTrue(Files.size(segment) <= 200 || batches.size() == 1, segment + " has " + Files.size(segment));
            final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
            for (final long at : batches) {
                assertEquals(expectedBase, bytes.getLong((int) at + BatchFormat.BASE_ID_OFFSET), "base_id");
                expectedBase += bytes.getInt((int) at + BatchFormat.COUNT_OFFSET);
            }
        }
        assertEquals(33, expectedBase);
        assertEquals(Files.size(segments.get(segments.size() - 2)), 36 + 4 + 500, "the large entry's own file");
    }

    @Test
    void aDirectoryIsOpenedByOneStoreAtATime() throws Exception {
        final Path path = dir.resolve("a/b/log"); // created with its parents
        try (FileLogStore log = FileLogStore.open(path, NEVER)) {
            final IOException e = assertThrows(IOException.class, () -> FileLogStore.open(path, NEVER));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            appendAndCommit(log, "x");
        }
        try (FileLogStore log = FileLogStore.open(path, NEVER)) {
            assertEquals(1, log.lastId());
        }
    }

    @Test
    void theLogIdAndEpochArePersistedBeforeTheCallsReturn() throws Exception {
        final Path path = dir.resolve("log");
        final FileLogStore first = FileLogStore.open(path, NEVER);
        assertEquals(0, first.logId(), "a new log follows nobody yet");
        first.adoptLogId(0x5eed);
        first.startEpoch(7);
        first.halt();
        try (FileLogStore log = FileLogStore.open(path, NEVER)) {
            assertEquals(0x5eed, log.logId());
            assertEquals(7, log.epoch());
            assertThrows(IllegalArgumentException.class, () -> log.startEpoch(7));
        }
    }

    @Test
    void segmentFilesWithoutMetadataAreRefused() throws Exception {
        final Path path = dir.resolve("log");
        try (FileLogStore log = FileLogStore.open(path, NEVER)) {
            appendAndCommit(log, "x");
        }
        Files.delete(path.resolve(LogMetadata.FILE_NAME));
        final IOException e = assertThrows(IOException.class, () -> FileLogStore.open(path, NEVER));
        assertTrue(e.getMessage().contains("no " + LogMetadata.FILE_NAME), e.getMessage());
    }

    @Test
    void aFullDiskFailsTheCommitWithLogFullAndLeavesTheFilesAsBefore() throws Exception {
        final Path path = dir.resolve("log");
        final FailingWrites io = new FailingWrites();
        try (FileLogStore log = FileLogStore.open(path, NEVER.segmentBytes(200).io(io))) {
            appendAndCommit(log, "a", "b", "c");
            final List<Path> before = LogFiles.segments(path);
            final long size = Files.size(before.get(0));
            io.failure = "No space left on device";
            append(log, "d");
            final LogFullException inPlace = assertThrows(LogFullException.class, log::commit);
            assertTrue(inPlace.getMessage().contains("disk is full"), inPlace.getMessage());
            assertEquals(3, log.lastId());
            assertEquals(3, log.appendedId(), "the failed commit dropped what was staged");
            assertEquals(size, Files.size(before.get(0)), "the partial write was cut off");
            append(log, "x".repeat(300)); // rolls to a new segment, whose write fails
            assertThrows(LogFullException.class, log::commit);
            assertEquals(before, LogFiles.segments(path), "the new segment file was removed");
            io.failure = "Input/output error";
            append(log, "e");
            final UncheckedIOException other = assertThrows(UncheckedIOException.class, log::commit);
            assertTrue(other.getMessage().contains(before.get(0).toString()), other.getMessage());
            io.failure = null;
            assertEquals(4, appendAndCommit(log, "d2"));
        }
        try (FileLogStore log = FileLogStore.open(path, NEVER.corruptionPolicy(CorruptionPolicy.FAIL))) {
            assertEquals(List.of("a", "b", "c", "d2"), readAll(log, 1, 10, 1 << 20));
        }
    }

    @Test
    void aReaderInterruptedInAReadDoesNotBreakTheLog() throws Exception {
        final Path path = dir.resolve("log");
        try (FileLogStore log = FileLogStore.open(path, NEVER.cacheBytes(0))) {
            appendAndCommit(log, "a", "b");
            Thread.currentThread().interrupt(); // FileChannel closes itself when a thread using it is interrupted
            assertThrows(UncheckedIOException.class, () -> log.read(1, 10, 100));
            assertTrue(Thread.interrupted());
            assertEquals(List.of("a", "b"), readAll(log, 1, 10, 1 << 20));
            appendAndCommit(log, "c");
            assertEquals(List.of("a", "b", "c"), readAll(log, 1, 10, 1 << 20));
        }
        try (FileLogStore log = FileLogStore.open(path, NEVER)) {
            assertEquals(List.of("a", "b", "c"), readAll(log, 1, 10, 1 << 20));
        }
    }

    @Test
    void memoryStaysBoundedAsTheLogGrows() throws Exception {
        // one entry per batch and every batch indexed: each sealed segment's index is ~2 KiB, so keeping all of
        // them (about a hundred segments per round) would show
        final FileLogOptions options = NEVER.segmentBytes(16 * 1024).cacheBytes(64 * 1024).sealedIndexes(2)
            .indexIntervalBytes(1);
        try (FileLogStore log = FileLogStore.open(dir.resolve("log"), options)) {
            final long[] peaks = new long[2];
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 20_000; i++) {
                    append(log, "0123456789012345678901234567890123456789");
                    log.commit();
                }
                // read everything once, so that every sealed segment's index is built
                for (long id = 1; id <= log.lastId(); ) {
                    final EntryRange range = log.read(id, 1000, 1 << 16);
                    range.run().release();
                    id += range.count();
                    peaks[round] = Math.max(peaks[round], log.memoryBytes());
                }
            }
            assertTrue(peaks[0] < 400 * 1024, "memory " + peaks[0]);
            assertTrue(peaks[1] <= peaks[0] + 16 * 1024, "twice the log, memory " + peaks[0] + " then " + peaks[1]);
        }
    }

    @Test
    void aReadRacingATruncationThatDeletesItsSegmentReturnsNothing() throws Exception {
        try (FileLogStore log = FileLogStore.open(dir.resolve("log"), NEVER.segmentBytes(100).cacheBytes(0))) {
            for (int b = 0; b < 10; b++) {
                appendAndCommit(log, texts("old-", b * 3 + 1, b * 3 + 3).toArray(new String[0]));
            }
            final CountDownLatch paused = new CountDownLatch(1);
            final CountDownLatch go = new CountDownLatch(1);
            log.reader.beforeFileRead = () -> {
                paused.countDown();
                try {
                    go.await(Await.DEFAULT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            final CompletableFuture<EntryRange> read = CompletableFuture.supplyAsync(() -> log.read(25, 10, 1 << 20));
            assertTrue(paused.await(Await.DEFAULT.toMillis(), TimeUnit.MILLISECONDS));
            log.reader.beforeFileRead = null;
            log.truncateAfter(5); // deletes the segment the read chose
            appendAndCommit(log, texts("new-", 6, 30).toArray(new String[0]));
            go.countDown();
            final EntryRange range = Await.result(read);
            range.run().release();
            assertEquals(0, range.count(), "a read that raced a cut returns nothing");
            assertEquals(texts("new-", 25, 30), readAll(log, 25, 10, 1 << 20));
        }
    }
}
