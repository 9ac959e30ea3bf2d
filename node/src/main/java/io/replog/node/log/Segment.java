package io.replog.node.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One segment file, named by the msg_id of its first entry zero-padded to 20 digits like Kafka's
 * ({@code 00000000000000000001.log}), holding record batches ({@link BatchFormat}) back to back. Its channel stays
 * open for the store's life; {@link #end()} is how far readers may read: the end of the last committed batch.
 */
final class Segment {
    static final String SUFFIX = ".log";
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);

    private final long baseId;
    private final Path path;
    private volatile FileChannel channel;
    /** Set by {@link #close()}: from then on a closed channel stays closed. */
    private volatile boolean closed;
    /** End of the last committed batch: published by the writer before the store's last id. */
    private volatile long end;
    /** Null while not in memory (a sealed segment whose index was dropped); see {@link SegmentIndexes}. */
    private volatile SparseIndex index;

    private Segment(final long baseId, final Path path, final FileChannel channel, final long end) {
        this.baseId = baseId;
        this.path = path;
        this.channel = channel;
        this.end = end;
    }

    /** Creates the file for a segment starting at {@code baseId}; fails if it exists. */
    static Segment create(final Path dir, final long baseId) throws IOException {
        final Path path = dir.resolve(fileName(baseId));
        return new Segment(baseId, path, FileChannel.open(path, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE), 0);
    }

    /** Opens an existing segment file; its end is its size until recovery says otherwise. */
    static Segment open(final Path path, final long baseId) throws IOException {
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Segment(baseId, path, channel, channel.size());
    }

    static String fileName(final long baseId) {
        return String.format("%020d%s", baseId, SUFFIX);
    }

    /** The base id a segment file name stands for, or -1 for any other name. */
    static long baseIdOf(final String fileName) {
        if (fileName.length() != 20 + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (!Character.isDigit(fileName.charAt(i))) {
                return -1;
            }
        }
        final long id = Long.parseLong(fileName.substring(0, 20));
        return id > 0 ? id : -1;
    }

    long baseId() {
        return baseId;
    }

    Path path() {
        return path;
    }

    /**
     * The file's channel. A FileChannel closes itself, for every thread, when a thread using it is interrupted
     * (ClosedByInterruptException): one interrupted reader must not break the log, so a channel closed that way is
     * reopened here.
     */
    FileChannel channel() throws IOException {
        final FileChannel current = channel;
        if (current.isOpen() || closed) {
            return current;
        }
        synchronized (this) {
            if (!channel.isOpen() && !closed) {
                LOG.warn("{}: reopening the file, closed by a thread interrupted while using it", path);
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            return channel;
        }
    }

    long end() {
        return end;
    }

    void end(final long value) {
        end = value;
    }

    SparseIndex index() {
        return index;
    }

    void index(final SparseIndex value) {
        index = value;
    }

    /** Cuts the file at {@code length} (a batch boundary) and forgets the index entries past it. */
    void truncate(final long length) throws IOException {
        channel().truncate(length);
        end = Math.min(end, length);
        final SparseIndex i = index;
        if (i != null) {
            i.truncate(length);
        }
    }

    void close() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
