package io.replog.node.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The file side of {@link LogStore#truncateAfter}: deletes the segments wholly after the cut, cuts the one holding
 * it ({@link SegmentTruncator}), fsyncs, and makes the last remaining segment active again. The segment list is
 * replaced before any file is touched, so new readers never reach a deleted or cut file; readers already inside one
 * fail or read changed bytes, and the store's truncation counter makes them return nothing instead.
 */
final class Truncation {
    private final Path dir;
    private final Segments segments;
    private final Durability durability;

    Truncation(final Path dir, final Segments segments, final Durability durability) {
        this.dir = dir;
        this.segments = segments;
        this.durability = durability;
    }

    /** Removes every committed entry after {@code lastKept}, which is below the last committed id. */
    void cutAfter(final long lastKept) throws IOException {
        final Segment[] all = segments.all();
        final int s = Segments.find(all, lastKept + 1);
        final Segment holder = all[s];
        final boolean wholeSegments = holder.baseId() == lastKept + 1;
        final int keep = wholeSegments ? s : s + 1;
        final Segment[] remaining = Arrays.copyOf(all, keep);
        final Segment[] removed = Arrays.copyOfRange(all, keep, all.length);
        segments.publish(remaining);
        segments.forget(removed);
        for (final Segment segment : removed) {
            segment.close();
            Files.delete(segment.path());
        }
        if (!wholeSegments) {
            synchronized (holder) { // no reader rebuilds this segment's index from the file while it is cut
                SegmentTruncator.cutAfter(holder, segments.indexOf(holder), lastKept, durability);
            }
        }
        if (removed.length > 0) {
            AtomicFile.syncDirectory(dir);
        }
        if (keep > 0) {
            segments.unsealed(remaining[keep - 1]);
        }
    }
}
