package io.replog.node.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Brings a data directory's segments to a state the store can serve, as Kafka's {@code LogLoader}: trust
 * everything before the recovery point, walk every batch after it verifying its CRC, its msg_ids and its epoch, and
 * decide what to do with the first bad one:
 * <ul>
 *   <li>a <b>torn tail</b> (a bad batch, incomplete or failing its CRC, after which nothing in the log parses as a
 *       valid batch) is what a crash in the middle of a write leaves: it is cut, with a WARN naming the file, the
 *       offset and the bytes cut;</li>
 *   <li>anything else (a valid batch follows, or later segments hold data) is damage in the middle of the log: it is
 *       never served; {@link CorruptionPolicy#TRUNCATE} cuts the log there (WARN), {@link CorruptionPolicy#FAIL}
 *       refuses to open with a {@link CorruptLogException} that says how to repair.</li>
 * </ul>
 * A message whose bytes happen to form a valid batch could make a torn tail look like mid-log damage: with
 * {@code FAIL} the node then refuses to start and says so, which errs on the safe side.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** What recovery found: the segments to serve (empty ones removed), the last id and the epochs. */
    record Result(List<Segment> segments, long lastId, EpochHistory epochs, long scannedBytes, boolean scanned,
                  boolean changed, CutDamage damage) {
    }

    private final Path dir;
    private final CorruptionPolicy policy;
    private final List<Segment> segments;
    private final EpochHistory epochs = new EpochHistory();
    private long lastId;
    private long scannedBytes;
    private boolean changed;
    private CutDamage damage;

    private Recovery(final Path dir, final CorruptionPolicy policy, final List<Segment> segments) {
        this.dir = dir;
        this.policy = policy;
        this.segments = segments;
    }

    /** Recovers the segments of {@code dir} (closing them all if it throws). */
    static Result run(final Path dir, final RecoveryCheckpoint checkpoint, final CorruptionPolicy policy)
        throws IOException {
        final List<Segment> segments = openSegments(dir);
        try {
            final Recovery recovery = new Recovery(dir, policy, segments);
            final boolean scanned = recovery.scanFrom(checkpoint);
            return new Result(List.copyOf(segments), recovery.lastId, recovery.epochs, recovery.scannedBytes,
                scanned, recovery.changed, recovery.damage);
        } catch (IOException | RuntimeException e) {
            for (final Segment segment : segments) {
                segment.close();
            }
            throw e;
        }
    }

    /** Closes the files of a recovery whose store could not be made (the caller reports why); nothing for null. */
    static void close(final Result result) {
        if (result == null) {
            return;
        }
        for (final Segment segment : result.segments()) {
            try {
                segment.close();
            } catch (IOException e) {
                LOG.debug("{}: closing after a failed open: {}", segment, e.toString());
            }
        }
    }

    /** The segment files of {@code dir} in msg_id order; empty ones and leftover temporary files are deleted. */
    private static List<Segment> openSegments(final Path dir) throws IOException {
        final List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.toList();
        }
        final List<Segment> segments = new ArrayList<>();
        for (final Path file : files) {
            final String name = file.getFileName().toString();
            final long baseId = Segment.baseIdOf(name);
            if (name.endsWith(AtomicFile.TEMP_SUFFIX)) {
                Files.delete(file); // an atomic replace that did not finish: the old file is intact
            } else if (baseId > 0 && Files.size(file) == 0) {
                LOG.info("{}: deleting an empty segment file", file);
                Files.delete(file); // created by a roll just before a crash, or left by a cut: holds nothing
            } else if (baseId > 0) {
                segments.add(Segment.open(file, baseId));
            }
        }
        segments.sort(Comparator.comparingLong(Segment::baseId));
        return segments;
    }

    /** Scans from the checkpoint (or the start when it does not fit the files); false if nothing needed a scan. */
    private boolean scanFrom(final RecoveryCheckpoint checkpoint) throws IOException {
        if (segments.isEmpty()) {
            return false;
        }
        if (segments.get(0).baseId() != 1) {
            lastId = 0;
            damaged(0, 0, "the log's first segment starts at msg_id " + segments.get(0).baseId()
                + ": the segments before it are missing", null);
            return true;
        }
        int first = 0;
        long position = 0;
        lastId = 0;
        final int at = checkpoint == null ? -1 : indexOf(checkpoint.segmentBase());
        if (at >= 0 && fits(checkpoint, segments.get(at))) {
            first = at;
            position = checkpoint.position();
            lastId = checkpoint.lastId();
            epochs.load(checkpoint.epochs(), checkpoint.marks());
            epochs.truncateAfter(lastId + 1); // marks before the next msg_id are before the point too
        } else if (checkpoint != null) {
            LOG.warn("{}: the recovery point (segment {}, offset {}) does not match the segment files; scanning the "
                + "whole log", dir, checkpoint.segmentBase(), checkpoint.position());
        }
        final boolean scan = first < segments.size() - 1 || position < segments.get(first).end();
        for (int i = first; i < segments.size(); i++) {
            if (!scanSegment(i, i == first ? position : 0)) {
                break;
            }
        }
        return scan;
    }

    private int indexOf(final long baseId) {
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).baseId() == baseId) {
                return i;
            }
        }
        return -1;
    }

    private static boolean fits(final RecoveryCheckpoint checkpoint, final Segment segment) {
        final long[] pairs = checkpoint.epochs();
        return checkpoint.position() <= segment.end() && checkpoint.lastId() >= segment.baseId() - 1
            && (checkpoint.position() > 0 || checkpoint.lastId() == segment.baseId() - 1) && pairs.length % 2 == 0;
    }

    /** Verifies segment {@code i} from {@code position}; false when it stopped at a bad batch (and dealt with it). */
    private boolean scanSegment(final int i, final long position) throws IOException {
        final Segment segment = segments.get(i);
        final long size = segment.end();
        if (position == 0 && segment.baseId() != lastId + 1) {
            return damaged(i, 0, "the segment starts at msg_id " + segment.baseId() + " but the log before it ends at "
                + lastId, null);
        }
        if (position == size) {
            return true;
        }
        try (SegmentScanner scanner = new SegmentScanner(segment.channel(), size)) {
            long at = position;
            while (at < size) {
                final BatchFormat.Header header = scanner.header(at);
                final String problem = problem(header, size, scanner);
                if (problem != null) {
                    return damaged(i, at, problem, scanner);
                }
                if (header.mark()) {
                    epochs.marked(header.epoch(), header.baseId());
                } else {
                    epochs.entered(header.epoch(), header.baseId());
                }
                lastId = header.lastId();
                scannedBytes += header.totalBytes();
                at = header.end();
            }
        }
        // the recovery point moves past what was scanned: it must be on disk, not only in the page cache
        segment.channel().force(true);
        return true;
    }

    /** What is wrong with the batch, or null when it is good and continues the log. */
    private String problem(final BatchFormat.Header header, final long size, final SegmentScanner scanner)
        throws IOException {
        if (header == null) {
            return "incomplete batch header";
        }
        if (!header.plausible(size)) {
            return header.plausible(Long.MAX_VALUE) ? "incomplete batch (" + header.totalBytes() + " bytes claimed, "
                + (size - header.position()) + " in the file)" : "not a batch header";
        }
        if (!scanner.crcMatches(header)) {
            return "CRC mismatch";
        }
        if (header.baseId() != lastId + 1) {
            return "batch starts at msg_id " + header.baseId() + ", expected " + (lastId + 1);
        }
        if (header.mark() && header.epoch() <= epochs.lastEpoch()) {
            return "mark of epoch " + header.epoch() + " after entries of epoch " + epochs.lastEpoch();
        }
        if (header.epoch() < epochs.lastEpoch()) {
            return "batch of epoch " + header.epoch() + " after epoch " + epochs.lastEpoch();
        }
        return null;
    }

    /** Deals with the bad batch at {@code position} of segment {@code i}; always false (the scan stops). */
    private boolean damaged(final int i, final long position, final String problem, final SegmentScanner scanner)
        throws IOException {
        final Segment segment = segments.get(i);
        final boolean laterData = i < segments.size() - 1;
        // Even a batch that claims more bytes than the file has is only torn if nothing valid follows: a damaged
        // length field looks the same. A segment that does not continue the log (scanner null) is never torn.
        final boolean torn = !laterData && scanner != null && scanner.findValidBatch(position + 1) < 0;
        final long cut = cutBytes(i, position);
        if (torn) {
            LOG.warn("{}: torn tail at offset {} ({}): cutting {} bytes", segment.path(), position, problem, cut);
        } else if (policy == CorruptionPolicy.FAIL) {
            throw new CorruptLogException(segment.path(), position, segment.path() + ": damaged batch at byte offset "
                + position + " (" + problem + "), followed by " + (laterData ? "later segments" : "valid batches")
                + ". The log is not served. To repair: move the data directory " + dir + " aside and restart this "
                + "node as a secondary of a node that holds the log, or truncate " + segment.path() + " at offset "
                + position + " (and delete the later segment files) to keep what precedes it and lose the rest");
        } else if (policy == CorruptionPolicy.SET_ASIDE) {
            final long formerEnd = Math.max(lastId, lastIdAfter(i, position));
            final Path aside = setAside(i, position);
            LOG.warn("{}: damaged batch at offset {} ({}), after msg_id {}; the log went on to msg_id {} at least: "
                + "cutting it there ({} bytes in {} file(s), copied to {}) to take the rest back from a secondary",
                segment.path(), position, problem, lastId, formerEnd, cut, segments.size() - i, aside);
            damage = new CutDamage(lastId, formerEnd, aside, segment.path() + " at byte offset " + position + " ("
                + problem + ")").write(dir);
        } else {
            LOG.warn("{}: damaged batch at offset {} ({}): cutting the log there, {} bytes in {} file(s); the "
                + "master sends them again", segment.path(), position, problem, cut, segments.size() - i);
        }
        cutAt(i, position);
        return false;
    }

    /**
     * The last msg_id of the valid batches that follow the damage in the last segment (from the damage on when it is
     * the damaged one): how far the log went, as far as what is left of it can tell; 0 when none is found.
     */
    private long lastIdAfter(final int i, final long position) throws IOException {
        final int lastIndex = segments.size() - 1;
        final Segment tail = segments.get(lastIndex);
        final long size = tail.end();
        long end = 0;
        try (SegmentScanner scanner = new SegmentScanner(tail.channel(), size)) {
            long at = scanner.findValidBatch(lastIndex == i ? position + 1 : 0);
            while (at >= 0 && at < size) {
                final BatchFormat.Header header = scanner.header(at);
                if (header == null || !header.plausible(size) || !scanner.crcMatches(header)) {
                    break;
                }
                end = header.lastId();
                at = header.end();
            }
        }
        return end;
    }

    /** Copies what cutting segment {@code i} at {@code position} removes into a new directory; returns it. */
    private Path setAside(final int i, final long position) throws IOException {
        final Path aside = dir.resolve("damaged-" + System.currentTimeMillis());
        Files.createDirectories(aside);
        final Segment damaged = segments.get(i);
        final Path part = aside.resolve(damaged.path().getFileName() + ".from-" + position);
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long at = position;
            while (at < damaged.end()) {
                at += damaged.channel().transferTo(at, damaged.end() - at, out);
            }
            out.force(true);
        }
        for (int k = i + 1; k < segments.size(); k++) {
            final Path file = segments.get(k).path();
            Files.copy(file, aside.resolve(file.getFileName()));
            try (FileChannel copy = FileChannel.open(aside.resolve(file.getFileName()), StandardOpenOption.WRITE)) {
                copy.force(true);
            }
        }
        AtomicFile.syncDirectory(aside);
        AtomicFile.syncDirectory(dir);
        return aside;
    }

    private long cutBytes(final int i, final long position) {
        long bytes = segments.get(i).end() - position;
        for (int k = i + 1; k < segments.size(); k++) {
            bytes += segments.get(k).end();
        }
        return bytes;
    }

    /** Cuts segment {@code i} at {@code position}, deleting it if that empties it, and every later segment. */
    private void cutAt(final int i, final long position) throws IOException {
        changed = true;
        while (segments.size() > i + 1) {
            delete(segments.remove(segments.size() - 1));
        }
        final Segment segment = segments.get(i);
        if (position == 0) {
            delete(segments.remove(i));
        } else {
            segment.truncate(position);
            segment.channel().force(true);
        }
        AtomicFile.syncDirectory(dir);
    }

    private static void delete(final Segment segment) throws IOException {
        segment.close();
        Files.delete(segment.path());
    }
}
