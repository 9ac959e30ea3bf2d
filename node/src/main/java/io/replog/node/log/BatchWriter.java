package io.replog.node.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a commit's staged batches to the segment files and makes them visible: rolls to a new segment when the
 * active one would grow past the segment size (a batch larger than a segment gets one of its own), writes each
 * batch with one positional write, and on failure puts the files back as they were. Writer only.
 */
final class BatchWriter {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

    private final Path dir;
    private final FileLogOptions options;
    private final Segments segments;
    private final EpochHistory epochs;
    private final RecentBatches cache;
    private final Durability durability;
    /** Why the files may no longer match what the store believes (a failed rollback); null while they do. */
    private volatile String broken;
    private volatile Consumer<String> failureListener;

    BatchWriter(final Path dir, final FileLogOptions options, final Segments segments, final EpochHistory epochs,
                final RecentBatches cache, final Durability durability) {
        this.dir = dir;
        this.options = options;
        this.segments = segments;
        this.epochs = epochs;
        this.cache = cache;
        this.durability = durability;
    }

    void failureListener(final Consumer<String> listener) {
        failureListener = listener;
    }

    /** Why the store must refuse writes (an fsync failed, or the files may not match), or null. */
    String refusal() {
        if (durability.failure() != null) {
            return "an fsync failed (" + durability.failure().getMessage() + "), so nothing can be made durable any "
                + "more: restart the node";
        }
        return broken;
    }

    /**
     * Writes every staged (sealed) batch, then publishes them to readers (segment list, ends, indexes, epochs,
     * cache): the caller publishes the last id after this. On an IOException nothing was published and the files
     * are as before (or {@link #refusal()} says why not).
     */
    void write(final StagedBatches staged) throws IOException {
        final Segment[] before = segments.all();
        final Segment active = before.length == 0 ? null : before[before.length - 1];
        final long activeEnd = active == null ? 0 : active.end();
        final List<Segment> created = new ArrayList<>(1);
        final Segment[] targets = new Segment[staged.batches()];
        final long[] positions = new long[staged.batches()];
        Segment segment = active;
        try {
            long at = activeEnd;
            for (int k = 0; k < staged.batches(); k++) {
                final int total = staged.totalBytes(k);
                // a batch never starts a segment right after a mark: the mark stays with the messages it precedes,
                // so a segment named N never follows one ending in a mark before N (what recovery points rely on)
                final boolean afterMark = k > 0 ? staged.count(k - 1) == 0 : endsWithMark(staged.baseId(0));
                if (segment == null || at > 0 && at + total > options.segmentBytes() && !afterMark) {
                    segment = roll(segment, staged.baseId(k), created);
                    at = 0;
                }
                options.io().write(segment.channel(), staged.nioBuffer(k), at);
                targets[k] = segment;
                positions[k] = at;
                at += total;
            }
        } catch (IOException e) {
            rollback(active, activeEnd, created, e);
            // the cause's type too: a NoSuchFileException's message is only a path (a data directory deleted
            // under a running node read "writing …/1.log failed: …/1287794.log")
            throw new IOException("writing " + (segment == null ? dir : segment.path()) + " failed: " + e, e);
        }
        publish(staged, before, created, targets, positions);
    }

    /** Whether the log's last batch is a mark: the last mark is at the next msg_id, {@code nextId}. */
    private boolean endsWithMark(final long nextId) {
        final long[] marks = epochs.marks();
        return marks.length > 0 && marks[marks.length - 1] == nextId;
    }

    /** Seals {@code current} (fsynced first, so the recovery point and the flusher may skip it) and opens the next. */
    private Segment roll(final Segment current, final long baseId, final List<Segment> created) throws IOException {
        if (current != null) {
            durability.force(current.channel());
        }
        final Segment next = Segment.create(dir, baseId);
        created.add(next);
        next.index(segments.newIndex(baseId));
        AtomicFile.syncDirectory(dir); // the new file's name must survive a crash as its data will
        return next;
    }

    private void rollback(final Segment active, final long activeEnd, final List<Segment> created,
                          final IOException cause) {
        try {
            if (active != null) {
                active.channel().truncate(activeEnd);
            }
            for (final Segment segment : created) {
                segment.close();
                Files.deleteIfExists(segment.path());
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
            broken = "a failed write could not be undone (" + e.getMessage() + ")";
            LOG.error("{}: {}; the store refuses further writes, restart the node to recover the files", dir, broken,
                e);
            final Consumer<String> listener = failureListener;
            if (listener != null) {
                listener.accept(broken);
            }
        }
    }

    private void publish(final StagedBatches staged, final Segment[] before, final List<Segment> created,
                         final Segment[] targets, final long[] positions) {
        for (int k = 0; k < staged.batches(); k++) {
            final Segment segment = targets[k];
            final int total = staged.totalBytes(k);
            if (staged.count(k) == 0) { // a mark: no entry to find or cache
                epochs.marked(staged.epoch(k), staged.baseId(k));
                segment.end(positions[k] + total);
                continue;
            }
            segment.index().add(staged.baseId(k), positions[k]);
            epochs.entered(staged.epoch(k), staged.baseId(k));
            cache.add(staged.baseId(k), staged.count(k), staged.epoch(k), staged.buffer(), staged.entriesIndex(k),
                total - BatchFormat.HEADER_BYTES);
            segment.end(positions[k] + total);
        }
        if (created.isEmpty()) {
            return;
        }
        final Segment[] after = Arrays.copyOf(before, before.length + created.size());
        for (int i = 0; i < created.size(); i++) {
            after[before.length + i] = created.get(i);
        }
        segments.publish(after);
        for (int i = Math.max(0, before.length - 1); i < after.length - 1; i++) {
            segments.sealed(after[i]);
        }
        final Segment newest = created.get(created.size() - 1);
        checkpoint(RecoveryCheckpoint.at(newest.baseId(), 0, newest.baseId() - 1, epochs));
    }

    /** Whether {@code e} (or a cause) is the OS saying the disk or the quota is full: ENOSPC or EDQUOT. */
    static boolean isDiskFull(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            final String message = t.getMessage();
            if (message != null && (message.contains("No space left on device")
                || message.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /** Fsyncs what was written and moves the recovery point to the end of the log, after {@code lastId}. */
    void checkpointAtEnd(final long lastId) throws IOException {
        final Segment active = segments.active();
        if (active != null) {
            durability.force(active.channel());
        }
        checkpoint(active == null ? RecoveryCheckpoint.at(lastId + 1, 0, lastId, epochs)
            : RecoveryCheckpoint.atEnd(active.baseId(), active.end(), lastId, epochs));
    }

    /** Moves the recovery point; a failure only costs a longer scan on the next open. */
    void checkpoint(final RecoveryCheckpoint point) {
        try {
            point.write(dir);
        } catch (IOException e) {
            LOG.warn("{}: could not write the recovery point ({}); the next open scans more", dir, e.toString());
        }
    }
}
