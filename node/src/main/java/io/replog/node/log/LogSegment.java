package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.protocol.EntryRun;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One fixed-size block of the in-memory log: entries stored back to back as an entry run ({@code len u32, bytes}),
 * exactly the layout READ_OK carries, so reads are zero-copy slices. An int offset per entry is the
 * index. Written by one thread; the owning {@link MemoryLogStore} publishes each entry through a volatile id.
 */
final class LogSegment {
    /** Initial index capacity; grows by doubling. */
    private static final int INITIAL_INDEX = 1024;

    private final long firstId;
    private final ByteBuf memory;
    /**
     * Replaced (grown) by the writer while readers use it: volatile, so a reader that sees a new array also sees
     * the offsets copied into it.
     */
    private volatile int[] offsets = new int[INITIAL_INDEX];
    /** Entries written; writer-only, readers derive their bound from the store's published last id. */
    private int count;
    private int writePosition;

    LogSegment(final long firstId, final int capacity) {
        this.firstId = firstId;
        // Direct memory keeps the log off the heap and lets the socket write straight from it. The wrapper never
        // frees the ByteBuffer (the JVM does once the segment is unreachable), so slices stay valid as long as
        // someone references them.
        this.memory = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(capacity)).clear();
    }

    long firstId() {
        return firstId;
    }

    int capacity() {
        return memory.capacity();
    }

    boolean fits(final int payloadLength) {
        return memory.capacity() - writePosition >= EntryRun.ENTRY_OVERHEAD + payloadLength;
    }

    /** Writer only: copies the payload in and indexes it. The caller publishes it. */
    void append(final ByteBuf payload) {
        final int length = payload.readableBytes();
        index()[count++] = writePosition;
        memory.setInt(writePosition, length);
        memory.setBytes(writePosition + EntryRun.ENTRY_OVERHEAD, payload, payload.readerIndex(), length);
        writePosition += EntryRun.ENTRY_OVERHEAD + length;
    }

    /**
     * Writer only: copies as many whole entries of the run at {@code index} as fit (at most {@code count}, at least
     * one if the first fits) with one bulk copy, indexes them, and returns how many. The caller publishes them.
     */
    int appendRun(final ByteBuf run, final int index, final int count) {
        int bytes = 0;
        int taken = 0;
        final int room = memory.capacity() - writePosition;
        while (taken < count) {
            final int entry = EntryRun.ENTRY_OVERHEAD + run.getInt(index + bytes);
            if (bytes + entry > room) {
                break;
            }
            index()[this.count++] = writePosition + bytes;
            bytes += entry;
            taken++;
        }
        memory.setBytes(writePosition, run, index, bytes);
        writePosition += bytes;
        return taken;
    }

    /** Writer only: the offset index with room for one more entry (readers holding the old array still see every
     * entry published before the copy). */
    private int[] index() {
        final int[] current = offsets;
        if (count < current.length) {
            return current;
        }
        final int[] grown = Arrays.copyOf(current, count * 2);
        offsets = grown;
        return grown;
    }

    /**
     * Entries {@code [fromId, fromId + available)} of this segment, where {@code available} counts the entries the
     * caller knows to be published, capped by {@code maxCount} and {@code maxBytes} (at least one entry).
     */
    EntryRange read(final long fromId, final int available, final int maxCount, final int maxBytes) {
        final int[] index = offsets;
        final int first = (int) (fromId - firstId);
        final int limit = Math.min(available, maxCount);
        final int start = index[first];
        int end = entryEnd(index, first);
        int n = 1;
        while (n < limit) {
            final int next = entryEnd(index, first + n);
            if (next - start > maxBytes) {
                break;
            }
            end = next;
            n++;
        }
        return new EntryRange(fromId, n, memory.retainedSlice(start, end - start), 0);
    }

    private int entryEnd(final int[] index, final int entry) {
        final int offset = index[entry];
        return offset + EntryRun.ENTRY_OVERHEAD + memory.getInt(offset);
    }

    long memoryBytes() {
        return memory.capacity() + 4L * offsets.length;
    }

    /** Bytes of the entries from the {@code kept}-th on (0-based), written by the writer. */
    int bytesAfter(final long kept) {
        return kept >= count ? 0 : writePosition - offsets[(int) kept];
    }

    int bytesUsed() {
        return writePosition;
    }
}
