package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.LongStream;

/**
 * The durable log: a data directory of segment files of CRC-checked record batches ({@link BatchFormat}), after
 * Kafka's log and BookKeeper's journal. See {@link #open} for the directory's layout.
 *
 * <p><b>Writes</b> (one thread; {@link LogAppender}): {@link #append}/{@link #appendRun} stage entries as batches
 * in memory; {@link #commit()} writes them with one positional write per batch (rolling to a new segment when the
 * active one would outgrow the segment size), then publishes them: segment ends, indexes, epochs, the recent-batch
 * cache, and last of all {@link #lastId()}. The {@link FlushPolicy} decides when they become durable.
 *
 * <p><b>Reads</b> (any thread; {@link LogReader}) touch nothing beyond {@code lastId}; a read that races a
 * truncation returns an empty range.
 */
public final class FileLogStore implements LogStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileLogStore.class);

    private final Path dir;
    private final DataDirLock lock;
    private final Segments segments;
    private final EpochHistory epochs;
    private final RecentBatches cache;
    private final Durability durability;
    private final BatchWriter writer;
    private final LogAppender appender;
    private volatile long logId;
    private volatile long epoch;
    /** Published by the writer (the appender's commits, truncations) after what it covers is readable. */
    private volatile long lastId;
    private volatile boolean closed;
    private final CutDamage damage;
    /** Package-private for tests that stage a race with a read. */
    final LogReader reader;

    private FileLogStore(final Path dir, final FileLogOptions options, final DataDirLock lock,
                         final LogMetadata metadata, final Recovery.Result recovered) throws IOException {
        this.dir = dir;
        this.lock = lock;
        this.logId = metadata.logId();
        this.epoch = metadata.epoch();
        this.segments = new Segments(recovered.segments(), options.indexIntervalBytes(), options.sealedIndexes());
        this.epochs = recovered.epochs();
        this.lastId = recovered.lastId();
        this.damage = recovered.damage() != null ? recovered.damage() : CutDamage.read(dir);
        this.cache = new RecentBatches(options.cacheBytes());
        this.durability = new Durability("replog-log[" + dir.getFileName() + "]", options.flushPolicy(),
            options.io(), () -> lastId, epochs::markCount, segments::active, lastId);
        this.writer = new BatchWriter(dir, options, segments, epochs, cache, durability);
        this.appender = new LogAppender(dir, options.maxLogBytes(), epochs, writer, durability, segments.bytes(),
            () -> lastId, id -> lastId = id, () -> closed);
        this.reader = new LogReader(segments, epochs, cache, () -> lastId);
    }

    /**
     * Opens the log in {@code dir}, creating the directory and an empty log if there is none, and recovers it. The
     * directory holds:
     * <ul>
     *   <li>{@code 00000000000000000001.log}, …: the segment files, named by their first msg_id;</li>
     *   <li>{@value LogMetadata#FILE_NAME}: log_id, highest epoch started, format version;</li>
     *   <li>{@value RecoveryCheckpoint#FILE_NAME}: where the verified, fsynced part of the log ends;</li>
     *   <li>{@value DataDirLock#FILE_NAME}: locked while a store has the directory open.</li>
     * </ul>
     *
     * @throws CorruptLogException with {@link CorruptionPolicy#FAIL}, for damage that is not a torn tail
     * @throws IOException         when the directory cannot be read or written, or another process has it open
     */
    public static FileLogStore open(final Path dir, final FileLogOptions options) throws IOException {
        final long start = System.nanoTime();
        final DataDirLock lock = DataDirLock.acquire(dir);
        Recovery.Result recovered = null;
        FileLogStore store = null;
        try {
            final LogMetadata metadata = LogMetadata.readOrCreate(dir);
            recovered = Recovery.run(dir, RecoveryCheckpoint.readOrNull(dir), options.corruptionPolicy());
            store = new FileLogStore(dir, options, lock, metadata, recovered);
            if (recovered.scanned() || recovered.changed()) {
                store.writer.checkpointAtEnd(store.lastId);
            }
            LOG.info("{}: opened log_id {} with {} segment(s), last msg_id {}, epochs {}, flush {} in {} ms ({})", dir,
                Long.toHexString(store.logId), recovered.segments().size(), store.lastId,
                Arrays.toString(store.epochs.toArray()), options.flushPolicy(), (System.nanoTime() - start) / 1_000_000,
                recovered.scanned() ? "recovery scanned " + recovered.scannedBytes() + " bytes after the recovery point"
                    : "clean, nothing to scan");
            return store;
        } catch (IOException | RuntimeException e) {
            if (store != null) {
                store.halt(); // its threads, buffers, files and the lock
            } else {
                Recovery.close(recovered);
                lock.close();
            }
            throw e;
        }
    }

    @Override
    public long logId() {
        return logId;
    }

    @Override
    public void adoptLogId(final long id) {
        if (appender.appendedId() > 0) {
            throw new IllegalStateException("the log holds " + appender.appendedId() + " entries of log "
                + Long.toHexString(logId));
        }
        persist(new LogMetadata(id, epoch));
        logId = id;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public void startEpoch(final long newEpoch) {
        final long highest = Math.max(epoch, epochs.lastEpoch());
        if (newEpoch <= highest) {
            throw new IllegalArgumentException("epoch " + newEpoch + " is not above the log's epoch " + highest);
        }
        if (!appender.nothingStaged()) {
            throw new IllegalStateException("entries are staged");
        }
        persist(new LogMetadata(logId, newEpoch));
        epoch = newEpoch;
    }

    private void persist(final LogMetadata metadata) {
        try {
            metadata.write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + dir.resolve(LogMetadata.FILE_NAME) + " failed", e);
        }
    }

    @Override
    public long epochAt(final long id) {
        return epochs.epochAt(id);
    }

    @Override
    public long[] epochHistory() {
        return epochs.toArray();
    }

    @Override
    public long endOfEpoch(final long e) {
        return epochs.endOf(e, lastId);
    }

    @Override
    public long lastId() {
        return lastId;
    }

    @Override
    public long appendedId() {
        return appender.appendedId();
    }

    @Override
    public long durableId() {
        return durability.durableId();
    }

    @Override
    public void durabilityListener(final LongConsumer listener) {
        durability.listener(listener);
    }

    @Override
    public CutDamage damage() {
        return damage;
    }

    @Override
    public void damageRepaired() {
        if (damage != null) {
            try {
                CutDamage.repaired(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public String failure() {
        return writer.refusal();
    }

    @Override
    public void failureListener(final Consumer<String> listener) {
        durability.failureListener(listener);
        writer.failureListener(listener);
    }

    @Override
    public long append(final ByteBuf payload) {
        return appender.append(epoch, payload);
    }

    @Override
    public long appendRun(final ByteBuf run, final int count, final long runEpoch) {
        return appender.appendRun(run, count, runEpoch);
    }

    @Override
    public void appendMark(final long markEpoch) {
        appender.appendMark(markEpoch);
    }

    @Override
    public long[] marks() {
        return epochs.marks();
    }

    @Override
    public int markCount() {
        return epochs.markCount();
    }

    @Override
    public int durableMarks() {
        return durability.durableMarks();
    }

    @Override
    public void commit() {
        appender.commit();
    }

    @Override
    public EntryRange read(final long fromId, final int maxCount, final int maxBytes) {
        return reader.read(fromId, maxCount, maxBytes);
    }

    @Override
    public void truncateAfter(final long lastKept, final int marksKept) {
        final long kept = Math.max(0, lastKept);
        final long[] restore = LongStream.concat(LongStream.of(epochs.marksBefore(kept + 1)),
            LongStream.of(appender.stagedMarksBefore(kept + 1))).limit(marksKept).toArray();
        if (restore.length < marksKept) {
            throw new IllegalArgumentException("the log holds " + restore.length + " marks before msg_id " + (kept + 1)
                + ", not " + marksKept);
        }
        truncateAfter(kept);
        for (final long markEpoch : restore) {
            appendMark(markEpoch);
        }
        if (marksKept > 0) {
            commit();
            durability.lock();
            try {
                writer.checkpointAtEnd(lastId); // the fsync that makes the marks durable again, as they were
                durability.forced(lastId);
            } catch (IOException e) {
                throw new UncheckedIOException("writing the marks kept by a truncation after msg_id " + kept
                    + " failed", e);
            } finally {
                durability.unlock();
            }
        }
    }

    @Override
    public void truncateAfter(final long lastKept) {
        final long kept = Math.max(0, lastKept);
        final long[] marks = epochs.marks();
        final boolean marksAfter = marks.length > 0 && marks[marks.length - 1] > kept; // committed marks to cut
        if (appender.cutStaged(kept, marksAfter)) {
            return;
        }
        appender.dropStaged();
        reader.cutting();
        durability.lock();
        try {
            new Truncation(dir, segments, durability).cutAfter(kept);
            cache.clear();
            epochs.truncateAfter(kept);
            appender.cutCommitted(kept, segments.bytes());
            lastId = kept;
            durability.cut(kept);
            writer.checkpointAtEnd(lastId);
        } catch (IOException e) {
            throw new UncheckedIOException("truncating " + dir + " after msg_id " + kept + " failed", e);
        } finally {
            reader.cut();
            durability.unlock();
        }
        LOG.warn("{}: truncated the log after msg_id {}", dir, kept);
    }

    @Override
    public long sizeBytes() {
        return appender.fileBytes();
    }

    @Override
    public void fsyncObserver(final FsyncObserver observer) {
        durability.observer(observer);
    }

    @Override
    public long memoryBytes() {
        return cache.memoryBytes() + appender.memoryBytes() + segments.indexMemoryBytes();
    }

    /** Fsyncs done so far (by the flusher, the timer, rolls, truncations and close): for health and benchmarks. */
    public long fsyncCount() {
        return durability.fsyncs();
    }

    public Path dataDir() {
        return dir;
    }

    /** Stops the flusher, fsyncs, moves the recovery point to the end (so the next open scans nothing), closes. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reader.closed();
        durability.close();
        IOException failure = null;
        durability.lock();
        try {
            if (writer.refusal() == null) {
                writer.checkpointAtEnd(lastId);
                durability.forced(lastId);
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            durability.unlock();
        }
        failure = release(failure);
        if (failure != null) {
            throw new UncheckedIOException("closing the log " + dir + " failed", failure);
        }
        if (writer.refusal() == null) {
            LOG.info("{}: closed the log at msg_id {}", dir, lastId);
        } else {
            LOG.warn("{}: closed the log; durable up to msg_id {} only ({}): the next start recovers what is on disk",
                dir, durability.durableId(), writer.refusal());
        }
    }

    /** Tests only: what kill -9 leaves (files as written, no fsync, no new recovery point), resources freed. */
    void halt() {
        closed = true;
        reader.closed();
        durability.close();
        final IOException failure = release(null);
        if (failure != null) {
            throw new UncheckedIOException(failure);
        }
    }

    private IOException release(final IOException earlier) {
        IOException failure = earlier;
        appender.close();
        cache.close();
        try {
            segments.close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        lock.close();
        return failure;
    }
}
