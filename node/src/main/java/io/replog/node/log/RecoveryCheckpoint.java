package io.replog.node.log;

import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The recovery point (Kafka's recovery-point-offset-checkpoint plus its leader-epoch checkpoint, in one file): every
 * byte of the segments before {@code position} in segment {@code segmentBase} is on disk and was verified, it holds
 * the entries up to {@code lastId}, and {@code epochs} says where each of their epochs starts. On open, only what
 * follows is scanned. Written on a clean close, at a segment roll (after the sealed segment was fsynced), after
 * recovery and after a truncation; replaced atomically.
 *
 * @param segmentBase base msg_id of the segment the point is in
 * @param position    byte offset in that segment, at a batch boundary
 * @param lastId      the last msg_id before the point
 * @param epochs      {@link EpochHistory#toArray()} for the entries up to {@code lastId}
 * @param marks       {@link EpochHistory#marks()} before the point (key {@code marks}, absent in older files: none)
 */
record RecoveryCheckpoint(long segmentBase, long position, long lastId, long[] epochs, long[] marks) {
    static final String FILE_NAME = "recovery-point";
    static final int FORMAT_VERSION = 1;

    /**
     * The point {@code position} of {@code segmentBase}, after entry {@code lastId}, with the epochs up to it: a
     * segment's start, where marks at {@code lastId + 1} (if any) come after the point.
     */
    static RecoveryCheckpoint at(final long segmentBase, final long position, final long lastId,
                                 final EpochHistory history) {
        return new RecoveryCheckpoint(segmentBase, position, lastId, upTo(history.toArray(), lastId),
            upTo(history.marks(), lastId));
    }

    /** The point at the end of the log: every epoch and mark the history holds is before it. */
    static RecoveryCheckpoint atEnd(final long segmentBase, final long position, final long lastId,
                                    final EpochHistory history) {
        return new RecoveryCheckpoint(segmentBase, position, lastId, history.toArray(), history.marks());
    }

    private static long[] upTo(final long[] pairs, final long lastId) {
        int keep = 0;
        while (keep < pairs.length && pairs[keep + 1] <= lastId) {
            keep += 2;
        }
        return Arrays.copyOf(pairs, keep);
    }

    private static long[] parsePairs(final Path file, final String text) throws IOException {
        final long[] pairs = text == null || text.isEmpty() ? new long[0]
            : Arrays.stream(text.split("[ @]")).mapToLong(Long::parseLong).toArray();
        if (pairs.length % 2 != 0) {
            throw new IOException(file + " has an odd number of epoch fields");
        }
        return pairs;
    }

    private static String format(final long[] pairs) {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            text.append(i == 0 ? "" : " ").append(pairs[i]).append('@').append(pairs[i + 1]);
        }
        return text.toString();
    }

    /** The checkpoint in {@code dir}, or null when there is none or it is unreadable (then the log is scanned). */
    static RecoveryCheckpoint readOrNull(final Path dir) {
        try {
            return read(dir);
        } catch (IOException e) {
            LoggerFactory.getLogger(RecoveryCheckpoint.class).warn("{}: unreadable recovery point ({}); scanning the "
                + "whole log", dir, e.getMessage());
            return null;
        }
    }

    /** The checkpoint in {@code dir}, or null when there is none. */
    static RecoveryCheckpoint read(final Path dir) throws IOException {
        final Path file = dir.resolve(FILE_NAME);
        final Properties p = AtomicFile.read(file);
        if (p == null) {
            return null;
        }
        try {
            final int version = Integer.parseInt(AtomicFile.required(p, file, "format_version"));
            if (version != FORMAT_VERSION) {
                throw new IOException(file + " has format version " + version);
            }
            final long[] epochs = parsePairs(file, AtomicFile.required(p, file, "epochs"));
            return new RecoveryCheckpoint(Long.parseLong(AtomicFile.required(p, file, "segment")),
                Long.parseLong(AtomicFile.required(p, file, "position")),
                Long.parseLong(AtomicFile.required(p, file, "last_id")), epochs,
                parsePairs(file, p.getProperty("marks")));
        } catch (NumberFormatException e) {
            throw new IOException(file + " is malformed: " + e.getMessage(), e);
        }
    }

    /** Replaces the checkpoint in {@code dir}, durably. */
    void write(final Path dir) throws IOException {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("format_version", Integer.toString(FORMAT_VERSION));
        values.put("segment", Long.toString(segmentBase));
        values.put("position", Long.toString(position));
        values.put("last_id", Long.toString(lastId));
        values.put("epochs", format(epochs));
        values.put("marks", format(marks));
        AtomicFile.write(dir, FILE_NAME, values);
    }
}
