package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.replog.protocol.EntryRun;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The open batch(es) of a {@link FileLogStore}: entries staged since the last commit, already laid out as the
 * record batches the commit writes ({@link BatchFormat}: header space, then the entry run), so the commit fills in
 * the headers and writes the buffer as it is. A new batch starts when the epoch changes. Writer only.
 */
final class StagedBatches implements AutoCloseable {
    /** Above this the buffer is given back after a commit rather than kept for the next one. */
    private static final int KEEP_BYTES = 4 * 1024 * 1024;

    private ByteBuf buffer;
    private int batches;
    private int[] starts = new int[4];
    private long[] baseIds = new long[4];
    private int[] counts = new int[4];
    private long[] epochs = new long[4];

    boolean isEmpty() {
        return batches == 0;
    }

    int batches() {
        return batches;
    }

    /** Bytes the commit will write, headers included. */
    int bytes() {
        return buffer == null ? 0 : buffer.writerIndex();
    }

    /** Bytes staging {@code entryBytes} more of {@code epoch} adds, a new batch's header included. */
    long cost(final long epoch, final long entryBytes) {
        return entryBytes + (batches == 0 || epochs[batches - 1] != epoch || counts[batches - 1] == 0
            ? BatchFormat.HEADER_BYTES : 0); // entries after a mark open a batch of their own
    }

    /** Epoch of the last staged entry; -1 when nothing is staged. */
    long lastEpoch() {
        return batches == 0 ? -1 : epochs[batches - 1];
    }

    /** Stages one entry with msg_id {@code id}. */
    void append(final long id, final long epoch, final ByteBuf payload) {
        open(id, epoch);
        EntryRun.writeEntry(buffer, payload);
        counts[batches - 1]++;
    }

    /** Stages {@code count} entries, the {@code bytes} of an entry run at {@code index}, from msg_id {@code id}. */
    void appendRun(final long id, final long epoch, final ByteBuf run, final int index, final int bytes,
                   final int count) {
        open(id, epoch);
        buffer.writeBytes(run, index, bytes);
        counts[batches - 1] += count;
    }

    /** Stages an epoch mark of {@code epoch} before msg_id {@code id}: a batch of its own, with no entries. */
    void appendMark(final long id, final long epoch) {
        open(id, epoch);
    }

    private void open(final long id, final long epoch) {
        if (batches > 0 && epochs[batches - 1] == epoch && counts[batches - 1] > 0) {
            return; // a mark (count 0) stays a batch of its own
        }
        if (buffer == null) {
            buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        }
        if (batches == starts.length) {
            starts = Arrays.copyOf(starts, batches * 2);
            baseIds = Arrays.copyOf(baseIds, batches * 2);
            counts = Arrays.copyOf(counts, batches * 2);
            epochs = Arrays.copyOf(epochs, batches * 2);
        }
        starts[batches] = buffer.writerIndex();
        baseIds[batches] = id;
        counts[batches] = 0;
        epochs[batches] = epoch;
        batches++;
        buffer.writeZero(BatchFormat.HEADER_BYTES);
    }

    /** Fills in every batch header (lengths, CRCs), stamping {@code timestamp}. */
    void seal(final long timestamp) {
        for (int k = 0; k < batches; k++) {
            BatchFormat.seal(buffer, starts[k], totalBytes(k) - BatchFormat.HEADER_BYTES, baseIds[k], counts[k],
                epochs[k], timestamp);
        }
    }

    int totalBytes(final int k) {
        return (k + 1 < batches ? starts[k + 1] : buffer.writerIndex()) - starts[k];
    }

    long baseId(final int k) {
        return baseIds[k];
    }

    int count(final int k) {
        return counts[k];
    }

    long epoch(final int k) {
        return epochs[k];
    }

    /** The sealed batch {@code k}, header included, for writing. */
    ByteBuffer nioBuffer(final int k) {
        return buffer.nioBuffer(starts[k], totalBytes(k));
    }

    /** The buffer and the index of batch {@code k}'s first entry, for copying its entries. */
    ByteBuf buffer() {
        return buffer;
    }

    int entriesIndex(final int k) {
        return starts[k] + BatchFormat.HEADER_BYTES;
    }

    /** The epochs of the staged marks before msg_id {@code nextId}, oldest first. */
    long[] marksBefore(final long nextId) {
        return java.util.stream.IntStream.range(0, batches).filter(k -> counts[k] == 0 && baseIds[k] == nextId)
            .mapToLong(k -> epochs[k]).toArray();
    }

    /** Whether a mark staged before a msg_id after {@code lastKept} is staged. */
    boolean marksAfter(final long lastKept) {
        for (int k = 0; k < batches; k++) {
            if (counts[k] == 0 && baseIds[k] > lastKept) {
                return true;
            }
        }
        return false;
    }

    /** Drops the staged entries and marks after {@code lastKept} (which the caller knows is staged or just before). */
    void truncateAfter(final long lastKept) {
        int k = batches - 1;
        while (k >= 0 && baseIds[k] > lastKept) {
            k--;
        }
        if (k < 0) {
            clear();
            return;
        }
        final int keep = (int) Math.min(counts[k], lastKept - baseIds[k] + 1);
        int end = entriesIndex(k);
        for (int i = 0; i < keep; i++) {
            end += EntryRun.ENTRY_OVERHEAD + buffer.getInt(end);
        }
        buffer.writerIndex(end);
        counts[k] = keep;
        batches = k + 1;
    }

    /** Forgets everything staged (after a commit, or a failed one). */
    void clear() {
        batches = 0;
        if (buffer != null && buffer.capacity() > KEEP_BYTES) {
            buffer.release();
            buffer = null;
        } else if (buffer != null) {
            buffer.clear();
        }
    }

    long memoryBytes() {
        return buffer == null ? 0 : buffer.capacity();
    }

    @Override
    public void close() {
        batches = 0;
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
