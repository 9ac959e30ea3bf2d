package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.replog.protocol.EntryRun;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The most recent committed entries, in memory, for the readers of the tail (the master's senders read it all the
 * time): entry runs copied into 1 MiB chunks, oldest chunks dropped beyond a byte budget. The cached entries are
 * always the consecutive ids up to the store's last id, so a read either finds its first entry here or goes to the
 * files. Reads hand out retained slices; a chunk's memory goes back to the pool only when the cache and every
 * reader holding a slice have released it, so dropping a chunk never invalidates a slice.
 *
 * <p>The writer copies entries into a chunk outside the lock (into bytes no reader can see yet), then registers the
 * batch under the lock; readers look up and slice under the same lock, which also orders the copied bytes before
 * the reads.
 */
final class RecentBatches implements AutoCloseable {
    static final int CHUNK_BYTES = 1 << 20;

    /** A chunk of consecutive entries and where each of its batches starts in it. */
    private static final class Chunk {
        final ByteBuf memory;
        /** Writer only: bytes used. */
        int written;
        int batches;
        long[] baseIds = new long[64];
        long[] epochs = new long[64];
        int[] offsets = new int[64];
        long lastId;

        Chunk(final ByteBuf memory) {
            this.memory = memory;
        }

        long firstId() {
            return baseIds[0];
        }

        void add(final long baseId, final int count, final long epoch, final int offset) {
            if (batches == baseIds.length) {
                baseIds = Arrays.copyOf(baseIds, batches * 2);
                epochs = Arrays.copyOf(epochs, batches * 2);
                offsets = Arrays.copyOf(offsets, batches * 2);
            }
            baseIds[batches] = baseId;
            epochs[batches] = epoch;
            offsets[batches] = offset;
            batches++;
            lastId = baseId + count - 1;
        }

        /** Index of the batch holding {@code id}. */
        int batchOf(final long id) {
            final int found = Arrays.binarySearch(baseIds, 0, batches, id);
            return found >= 0 ? found : -found - 2;
        }
    }

    private final int budget;
    private final int chunkBytes;
    /** Oldest first; guarded by this. */
    private final List<Chunk> chunks = new ArrayList<>();
    private long held;

    RecentBatches(final int budget) {
        this.budget = budget;
        // a quarter of the budget at most, so that a small budget still holds a few chunks
        this.chunkBytes = Math.max(4096, Math.min(CHUNK_BYTES, budget / 4));
    }

    /**
     * Writer: caches the batch of {@code count} entries ({@code bytes} of them at {@code index} of {@code source})
     * just committed. A batch that does not follow the cached ones, or that is too large, restarts the cache. Only
     * the writer changes the chunk list; the lock is for the readers.
     */
    void add(final long baseId, final int count, final long epoch, final ByteBuf source, final int index,
             final int bytes) {
        if (budget == 0) {
            return;
        }
        if (bytes > budget / 2) {
            clear();
            return;
        }
        Chunk chunk;
        synchronized (this) {
            if (!chunks.isEmpty() && chunks.get(chunks.size() - 1).lastId + 1 != baseId) {
                clear();
            }
            chunk = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
        }
        final boolean fresh = chunk == null || chunk.memory.capacity() - chunk.written < bytes;
        if (fresh) {
            chunk = new Chunk(PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(chunkBytes, bytes)));
        }
        chunk.memory.setBytes(chunk.written, source, index, bytes);
        synchronized (this) {
            if (fresh) {
                chunks.add(chunk);
                held += chunk.memory.capacity();
            }
            chunk.add(baseId, count, epoch, chunk.written);
            while (held > budget && chunks.size() > 1) {
                final Chunk oldest = chunks.remove(0);
                held -= oldest.memory.capacity();
                oldest.memory.release();
            }
        }
        chunk.written += bytes;
    }

    /**
     * Entries from {@code fromId} to at most {@code limitId} (the caller caps it at the last id and the end of the
     * epoch), at most {@code maxCount} and about {@code maxBytes} (at least one), from one chunk; null when
     * {@code fromId} is not cached.
     */
    synchronized EntryRange read(final long fromId, final long limitId, final int maxCount, final int maxBytes) {
        final int c = chunkOf(fromId);
        if (c < 0) {
            return null;
        }
        final Chunk chunk = chunks.get(c);
        final int batch = chunk.batchOf(fromId);
        final ByteBuf memory = chunk.memory;
        int start = chunk.offsets[batch];
        for (long id = chunk.baseIds[batch]; id < fromId; id++) {
            start += EntryRun.ENTRY_OVERHEAD + memory.getInt(start);
        }
        final long last = Math.min(limitId, chunk.lastId);
        int end = start;
        int n = 0;
        while (n < maxCount && fromId + n <= last) {
            final int next = end + EntryRun.ENTRY_OVERHEAD + memory.getInt(end);
            if (n > 0 && next - start > maxBytes) {
                break;
            }
            end = next;
            n++;
        }
        return new EntryRange(fromId, n, memory.retainedSlice(start, end - start), chunk.epochs[batch]);
    }

    private int chunkOf(final long id) {
        if (chunks.isEmpty() || id < chunks.get(0).firstId() || id > chunks.get(chunks.size() - 1).lastId) {
            return -1;
        }
        int c = chunks.size() - 1;
        while (chunks.get(c).firstId() > id) {
            c--;
        }
        return c;
    }

    /** Drops everything (a truncation, or a batch that does not follow). */
    synchronized void clear() {
        for (final Chunk chunk : chunks) {
            chunk.memory.release();
        }
        chunks.clear();
        held = 0;
    }

    /** The chunks and, on the heap, where their batches start (20 bytes a batch). */
    synchronized long memoryBytes() {
        long arrays = 0;
        for (final Chunk chunk : chunks) {
            arrays += 20L * chunk.baseIds.length;
        }
        return held + arrays;
    }

    @Override
    public void close() {
        clear();
    }
}
