package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.replog.protocol.EntryRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The write path of a {@link FileLogStore} (writer thread only): admits entries (epochs never go down, the log
 * stays under {@code --max-log-bytes}), stages them as batches in memory, and commits them with {@link BatchWriter},
 * one positional write per batch, publishing the new last msg_id to the store last of all. Kept apart from the
 * store's opening, truncation, reads and closing, so what may be appended and when it becomes readable is decided
 * in one place.
 */
final class LogAppender implements AutoCloseable {
    private final Path dir;
    private final long maxLogBytes;
    private final EpochHistory epochs;
    private final BatchWriter writer;
    private final Durability durability;
    private final StagedBatches staged = new StagedBatches();
    /** The store's published last msg_id (what readers see), and how to publish a new one. */
    private final LongSupplier lastId;
    private final LongConsumer publish;
    private final BooleanSupplier closed;
    /** Staged or committed. */
    private long appended;
    /** Bytes of the segment files: what the size limit is checked against; read by any thread. */
    private volatile long fileBytes;

    LogAppender(final Path dir, final long maxLogBytes, final EpochHistory epochs, final BatchWriter writer,
                final Durability durability, final long fileBytes, final LongSupplier lastId,
                final LongConsumer publish, final BooleanSupplier closed) {
        this.dir = dir;
        this.maxLogBytes = maxLogBytes;
        this.epochs = epochs;
        this.writer = writer;
        this.durability = durability;
        this.fileBytes = fileBytes;
        this.lastId = lastId;
        this.publish = publish;
        this.closed = closed;
        this.appended = lastId.getAsLong();
    }

    long appendedId() {
        return appended;
    }

    long fileBytes() {
        return fileBytes;
    }

    boolean nothingStaged() {
        return staged.isEmpty();
    }

    /** Stages one entry of {@code epoch} (the store's); returns its msg_id. */
    long append(final long epoch, final ByteBuf payload) {
        final long lastEpoch = staged.isEmpty() ? epochs.lastEpoch() : staged.lastEpoch();
        if (epoch < lastEpoch) {
            throw new IllegalArgumentException("the log's last entry has epoch " + lastEpoch + ", above this store's "
                + "epoch " + epoch + ": start a new epoch before appending");
        }
        reserve(staged.cost(epoch, EntryRun.ENTRY_OVERHEAD + payload.readableBytes()));
        staged.append(appended + 1, epoch, payload);
        return ++appended;
    }

    long appendRun(final ByteBuf run, final int count, final long runEpoch) {
        final long lastEpoch = staged.isEmpty() ? epochs.lastEpoch() : staged.lastEpoch();
        if (runEpoch < lastEpoch) {
            throw new IllegalArgumentException("entries of epoch " + runEpoch + " after entries of epoch " + lastEpoch);
        }
        if (count == 0) {
            return appended;
        }
        reserve(staged.cost(runEpoch, run.readableBytes()));
        staged.appendRun(appended + 1, runEpoch, run, run.readerIndex(), run.readableBytes(), count);
        appended += count;
        return appended;
    }

    void appendMark(final long markEpoch) {
        final long lastEpoch = staged.isEmpty() ? epochs.lastEpoch() : staged.lastEpoch();
        if (markEpoch <= lastEpoch) {
            throw new IllegalArgumentException("a mark of epoch " + markEpoch + " after entries of epoch " + lastEpoch);
        }
        reserve(BatchFormat.HEADER_BYTES);
        staged.appendMark(appended + 1, markEpoch);
    }

    private void reserve(final long bytes) {
        if (closed.getAsBoolean()) {
            throw new IllegalStateException("the log " + dir + " is closed");
        }
        if (fileBytes + staged.bytes() + bytes > maxLogBytes) {
            throw new LogFullException("the log is full: " + (fileBytes + staged.bytes()) + " of "
                + maxLogBytes + " bytes used, " + bytes + " more needed (--max-log-bytes)");
        }
    }

    /** Writes what is staged, then publishes it; on failure nothing staged is kept, nothing is published. */
    void commit() {
        if (staged.isEmpty()) {
            return;
        }
        final String refusal = writer.refusal();
        if (refusal != null) {
            dropStaged();
            throw new UncheckedIOException(new IOException(dir + ": " + refusal + "; nothing was stored"));
        }
        staged.seal(System.currentTimeMillis());
        try {
            writer.write(staged);
        } catch (IOException e) {
            dropStaged();
            if (BatchWriter.isDiskFull(e)) {
                throw new LogFullException("the disk is full: " + e.getMessage() + "; nothing was stored");
            }
            throw new UncheckedIOException(e);
        }
        fileBytes += staged.bytes();
        staged.clear();
        publish.accept(appended);
        durability.committed(appended);
    }

    void dropStaged() {
        staged.clear();
        appended = lastId.getAsLong();
    }

    long[] stagedMarksBefore(final long nextId) {
        return staged.marksBefore(nextId);
    }

    /**
     * Cuts the log after {@code lastKept} when only staged entries or marks lie past it; false when committed ones
     * do ({@code committedMarksAfter}, or entries past the last msg_id): then nothing changed here.
     */
    boolean cutStaged(final long lastKept, final boolean committedMarksAfter) {
        if (lastKept >= appended && !committedMarksAfter && !staged.marksAfter(lastKept)) {
            return true;
        }
        if (lastKept >= lastId.getAsLong() && !committedMarksAfter) {
            staged.truncateAfter(lastKept);
            appended = lastKept;
            return true;
        }
        return false;
    }

    /** The segment files were cut after {@code lastKept} and now hold {@code bytes}. */
    void cutCommitted(final long lastKept, final long bytes) {
        fileBytes = bytes;
        appended = lastKept;
    }

    long memoryBytes() {
        return staged.memoryBytes();
    }

    @Override
    public void close() {
        staged.close();
    }
}
