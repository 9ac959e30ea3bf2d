package io.replog.node.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What a log is, beside its entries: its identity and the highest epoch this node started as a master, in
 * {@value #FILE_NAME}, replaced atomically. Both must survive a crash the moment they are set: a node that forgot
 * its epoch could start an epoch it already used.
 *
 * @param logId the log's identity (0: not yet following any log)
 * @param epoch the highest epoch started
 */
record LogMetadata(long logId, long epoch) {
    static final String FILE_NAME = "replog.meta";
    static final int FORMAT_VERSION = 1;

    /** The metadata in {@code dir}; for a directory without a log, new metadata (log_id 0, epoch 0), written. */
    static LogMetadata readOrCreate(final Path dir) throws IOException {
        final LogMetadata existing = read(dir);
        if (existing != null) {
            return existing;
        }
        if (DataDirLock.holdsSegments(dir)) {
            throw new IOException(dir + " holds segment files but no " + FILE_NAME + " (log_id and epoch are lost): "
                + "restore the file, or move the directory aside and let this node copy a master's log");
        }
        final LogMetadata created = new LogMetadata(0, 0);
        created.write(dir);
        return created;
    }

    /** The metadata in {@code dir}, or null when there is none yet. */
    static LogMetadata read(final Path dir) throws IOException {
        final Path file = dir.resolve(FILE_NAME);
        final Properties p = AtomicFile.read(file);
        if (p == null) {
            return null;
        }
        try {
            final int version = Integer.parseInt(AtomicFile.required(p, file, "format_version"));
            if (version != FORMAT_VERSION) {
                throw new IOException(file + " has format version " + version + "; this build reads version "
                    + FORMAT_VERSION);
            }
            return new LogMetadata(Long.parseUnsignedLong(AtomicFile.required(p, file, "log_id"), 16),
                Long.parseLong(AtomicFile.required(p, file, "epoch")));
        } catch (NumberFormatException e) {
            throw new IOException(file + " is malformed: " + e.getMessage(), e);
        }
    }

    /** Replaces the metadata in {@code dir}, durably. */
    void write(final Path dir) throws IOException {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("format_version", Integer.toString(FORMAT_VERSION));
        values.put("log_id", Long.toHexString(logId));
        values.put("epoch", Long.toString(epoch));
        AtomicFile.write(dir, FILE_NAME, values);
    }
}
