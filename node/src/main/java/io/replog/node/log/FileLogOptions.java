package io.replog.node.log;

/**
 * Settings of a {@link FileLogStore}; immutable, each {@code with…} returns a copy. The defaults are Kafka's and
 * BookKeeper's where they have one: 128 MiB segments (Kafka's is 1 GiB; ours restarts and rolls in smaller steps),
 * an index entry every 4 KiB of batches, fsync per group of commits.
 */
public final class FileLogOptions {
    public static final int DEFAULT_SEGMENT_BYTES = 128 * 1024 * 1024;
    /** Index entries are 8 bytes each, so the index of a full segment costs 1/512 of it. */
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    /** The master's senders read the tail all the time: this much of it is kept in memory. */
    public static final int DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
    /** Sealed segments whose index stays in memory (the least recently read are dropped and rebuilt on demand). */
    public static final int DEFAULT_SEALED_INDEXES = 16;
    /** Segment files stay below 2 GiB so that an int holds any position in one. */
    public static final int MAX_SEGMENT_BYTES = 1 << 30;
    /** Small enough for tests that want many segments. */
    public static final int MIN_SEGMENT_BYTES = 64;

    private final int segmentBytes;
    private final FlushPolicy flushPolicy;
    private final long maxLogBytes;
    private final CorruptionPolicy corruptionPolicy;
    private final int cacheBytes;
    private final int indexIntervalBytes;
    private final int sealedIndexes;
    private final FileIo io;

    private FileLogOptions(final int segmentBytes, final FlushPolicy flushPolicy, final long maxLogBytes,
                           final CorruptionPolicy corruptionPolicy, final int cacheBytes, final int indexIntervalBytes,
                           final int sealedIndexes, final FileIo io) {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segment size " + segmentBytes + " bytes is outside "
                + MIN_SEGMENT_BYTES + ".." + MAX_SEGMENT_BYTES);
        }
        if (maxLogBytes < 1 || cacheBytes < 0 || indexIntervalBytes < 1 || sealedIndexes < 0) {
            throw new IllegalArgumentException("max log bytes " + maxLogBytes + ", cache bytes " + cacheBytes
                + ", index interval " + indexIntervalBytes + ", sealed indexes " + sealedIndexes
                + ": the first must be positive, the others not negative (interval positive)");
        }
        if (flushPolicy == null || corruptionPolicy == null || io == null) {
            throw new IllegalArgumentException("flush policy, corruption policy and io must be set");
        }
        this.segmentBytes = segmentBytes;
        this.flushPolicy = flushPolicy;
        this.maxLogBytes = maxLogBytes;
        this.corruptionPolicy = corruptionPolicy;
        this.cacheBytes = cacheBytes;
        this.indexIntervalBytes = indexIntervalBytes;
        this.sealedIndexes = sealedIndexes;
        this.io = io;
    }

    /** 128 MiB segments, {@code batch} flushing, no size limit, refuse to open a corrupt log, a 32 MiB tail cache. */
    public static FileLogOptions defaults() {
        return new FileLogOptions(DEFAULT_SEGMENT_BYTES, FlushPolicy.BATCH, Long.MAX_VALUE, CorruptionPolicy.FAIL,
            DEFAULT_CACHE_BYTES, DEFAULT_INDEX_INTERVAL_BYTES, DEFAULT_SEALED_INDEXES, FileIo.REAL);
    }

    /** Roll to a new segment file when the active one would grow past this (a larger batch gets its own file). */
    public FileLogOptions segmentBytes(final int value) {
        return new FileLogOptions(value, flushPolicy, maxLogBytes, corruptionPolicy, cacheBytes, indexIntervalBytes,
            sealedIndexes, io);
    }

    public FileLogOptions flushPolicy(final FlushPolicy value) {
        return new FileLogOptions(segmentBytes, value, maxLogBytes, corruptionPolicy, cacheBytes, indexIntervalBytes,
            sealedIndexes, io);
    }

    /** Refuse appends ({@link LogFullException}) that would take the segment files past this many bytes. */
    public FileLogOptions maxLogBytes(final long value) {
        return new FileLogOptions(segmentBytes, flushPolicy, value, corruptionPolicy, cacheBytes, indexIntervalBytes,
            sealedIndexes, io);
    }

    public FileLogOptions corruptionPolicy(final CorruptionPolicy value) {
        return new FileLogOptions(segmentBytes, flushPolicy, maxLogBytes, value, cacheBytes, indexIntervalBytes,
            sealedIndexes, io);
    }

    /** Bytes of the most recent entries kept in memory for readers of the tail; 0 reads everything from files. */
    public FileLogOptions cacheBytes(final int value) {
        return new FileLogOptions(segmentBytes, flushPolicy, maxLogBytes, corruptionPolicy, value, indexIntervalBytes,
            sealedIndexes, io);
    }

    public FileLogOptions indexIntervalBytes(final int value) {
        return new FileLogOptions(segmentBytes, flushPolicy, maxLogBytes, corruptionPolicy, cacheBytes, value,
            sealedIndexes, io);
    }

    public FileLogOptions sealedIndexes(final int value) {
        return new FileLogOptions(segmentBytes, flushPolicy, maxLogBytes, corruptionPolicy, cacheBytes,
            indexIntervalBytes, value, io);
    }

    /** Tests only: writes and fsyncs go through {@code value}. */
    FileLogOptions io(final FileIo value) {
        return new FileLogOptions(segmentBytes, flushPolicy, maxLogBytes, corruptionPolicy, cacheBytes,
            indexIntervalBytes, sealedIndexes, value);
    }

    public int segmentBytes() {
        return segmentBytes;
    }

    public FlushPolicy flushPolicy() {
        return flushPolicy;
    }

    public long maxLogBytes() {
        return maxLogBytes;
    }

    public CorruptionPolicy corruptionPolicy() {
        return corruptionPolicy;
    }

    public int cacheBytes() {
        return cacheBytes;
    }

    public int indexIntervalBytes() {
        return indexIntervalBytes;
    }

    public int sealedIndexes() {
        return sealedIndexes;
    }

    FileIo io() {
        return io;
    }

    @Override
    public String toString() {
        return "segment " + segmentBytes + " B, flush " + flushPolicy + ", max " + maxLogBytes + " B, on corruption "
            + corruptionPolicy + ", cache " + cacheBytes + " B";
    }
}
