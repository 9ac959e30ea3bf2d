package io.replog.node.log;

import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.replog.node.log.LogEntries.appendAndCommit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When entries become durable under each flush policy, and how many fsyncs that takes. */
class FileLogStoreFlushTest {
    @TempDir
    Path dir;

    /** Real writes and fsyncs; an fsync can be held (it waits for a permit) and every one is recorded. */
    static final class HeldFsync implements FileIo {
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        final AtomicBoolean hold = new AtomicBoolean();
        final Semaphore entered = new Semaphore(0);
        final Semaphore release = new Semaphore(0);
        final AtomicInteger forces = new AtomicInteger();
        volatile IOException failure;

        @Override
        public void write(final FileChannel channel, final ByteBuffer source, final long position)
            throws IOException {
            FileIo.REAL.write(channel, source, position);
        }

        @Override
        public void force(final FileChannel channel) throws IOException {
            if (failure != null) {
                throw failure;
            }
            events.add("force");
            if (hold.get()) {
                entered.release();
                try {
                    if (!release.tryAcquire(Await.DEFAULT.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new IOException("the test never released the fsync");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            FileIo.REAL.force(channel);
            forces.incrementAndGet();
            events.add("forced");
        }
    }

    private FileLogStore open(final FlushPolicy policy, final FileIo io) throws IOException {
        return FileLogStore.open(dir.resolve("log"), FileLogOptions.defaults().flushPolicy(policy).io(io));
    }

    @Test
    void policiesParseFromTheirNamesAndNothingElse() {
        assertEquals(FlushPolicy.BATCH, FlushPolicy.parse("batch"));
        assertEquals(FlushPolicy.BATCH, FlushPolicy.parse(" BATCH "));
        assertEquals(FlushPolicy.NEVER, FlushPolicy.parse("never"));
        assertEquals(FlushPolicy.interval(250), FlushPolicy.parse("interval:250"));
        for (final FlushPolicy p : List.of(FlushPolicy.BATCH, FlushPolicy.NEVER, FlushPolicy.interval(5))) {
            assertEquals(p, FlushPolicy.parse(p.toString()));
        }
        for (final String bad : new String[] {"", "always", "interval", "interval:", "interval:0", "interval:-5",
            "interval:1.5", "interval:x", "batch:3", "never x"}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlushPolicy.parse(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("interval:MS"),
                e.getMessage());
        }
    }

    @Test
    void underBatchAnEntryIsDurableOnlyAfterAnFsyncCoversItAndCommitsShareFsyncs() throws Exception {
        final HeldFsync io = new HeldFsync();
        try (FileLogStore log = open(FlushPolicy.BATCH, io)) {
            log.durabilityListener(id -> io.events.add("durable " + id));
            io.hold.set(true);
            appendAndCommit(log, "first");
            assertTrue(io.entered.tryAcquire(Await.DEFAULT.toMillis(), TimeUnit.MILLISECONDS), "the flusher fsyncs");
            for (int i = 2; i <= 100; i++) {
                appendAndCommit(log, "m" + i); // while the fsync for "first" runs
            }
            assertEquals(100, log.lastId());
            assertEquals(0, log.durableId(), "nothing is durable while its fsync runs");
            io.hold.set(false);
            io.release.release();
            Await.until("all durable", () -> log.durableId() == 100);
            Await.until("the listener heard 100", () -> io.events.contains("durable 100"));
            assertEquals(List.of("force", "forced", "durable 1", "force", "forced", "durable 100"),
                List.copyOf(io.events), "one fsync for the 99 commits made during the first");
            assertEquals(2, log.fsyncCount());
        }
    }

    @Test
    void underNeverAndIntervalAnEntryIsDurableAtCommitAndCloseFsyncs() throws Exception {
        for (final FlushPolicy policy : List.of(FlushPolicy.NEVER, FlushPolicy.interval(3_600_000))) {
            final HeldFsync io = new HeldFsync();
            final FileLogStore log = open(policy, io);
            final List<String> threads = new java.util.ArrayList<>();
            log.durabilityListener(id -> threads.add(Thread.currentThread().getName() + " " + id));
            appendAndCommit(log, "a", "b");
            assertEquals(2, log.durableId(), policy.toString());
            assertEquals(List.of(Thread.currentThread().getName() + " 2"), threads, "called from commit()");
            assertEquals(0, io.forces.get(), "no fsync at commit under " + policy);
            log.close();
            assertEquals(1, io.forces.get(), "close fsyncs under " + policy);
            java.nio.file.Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void underIntervalATimerFsyncsWhatWasWritten() throws Exception {
        final HeldFsync io = new HeldFsync();
        try (FileLogStore log = open(FlushPolicy.interval(5), io)) {
            appendAndCommit(log, "a");
            Await.until("the timer fsyncs", () -> io.forces.get() >= 1);
        }
    }

    @Test
    void afterAFailedFsyncTheStoreRefusesWrites() throws Exception {
        final HeldFsync io = new HeldFsync();
        try (FileLogStore log = open(FlushPolicy.BATCH, io)) {
            io.failure = new IOException("Input/output error");
            appendAndCommit(log, "lost");
            Await.until("commits are refused", () -> {
                try {
                    appendAndCommit(log, "more");
                    return false;
                } catch (UncheckedIOException e) {
                    assertTrue(e.getMessage().contains("fsync failed"), e.getMessage());
                    return true;
                }
            });
            assertEquals(0, log.durableId(), "never called durable");
            assertEquals(log.lastId(), log.appendedId(), "the refused commit dropped its entries");
        }
    }
}
