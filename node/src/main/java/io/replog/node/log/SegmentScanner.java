package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Walks the batches of one segment file through a window read in large blocks (so walking headers costs a few
 * sequential reads, not one read per batch): used by recovery (with CRC checks) and to rebuild a segment's index
 * (headers only, skipping each batch by its length). Not thread-safe; one per walk, closed after it.
 */
final class SegmentScanner implements AutoCloseable {
    /**
     * Large enough that a walk over a segment is a few hundred reads. Direct and pooled: a heap buffer would make the
     * JDK copy through a temporary direct buffer it then caches per thread.
     */
    static final int WINDOW_BYTES = 1 << 20;

    private final FileChannel channel;
    private final long limit;
    private final ByteBuf memory;
    private final ByteBuffer window;
    private long windowStart;
    private int windowBytes;

    /** Walks {@code channel} up to {@code limit} bytes (its size, or where recovery trusts it up to). */
    SegmentScanner(final FileChannel channel, final long limit) {
        this(channel, limit, WINDOW_BYTES);
    }

    /** Same, reading {@code windowBytes} at a time. */
    SegmentScanner(final FileChannel channel, final long limit, final int windowBytes) {
        this.channel = channel;
        this.limit = limit;
        final int capacity = (int) Math.min(windowBytes, Math.max(limit, BatchFormat.HEADER_BYTES));
        this.memory = PooledByteBufAllocator.DEFAULT.directBuffer(capacity, capacity);
        this.window = memory.nioBuffer(0, capacity);
    }

    @Override
    public void close() {
        memory.release();
    }

    /** The header at {@code position}, or null when fewer than a header's bytes are left before the limit. */
    BatchFormat.Header header(final long position) throws IOException {
        if (!ensure(position, BatchFormat.HEADER_BYTES)) {
            return null;
        }
        return BatchFormat.header(window, (int) (position - windowStart), position);
    }

    /** Whether the batch's CRC matches its bytes (the caller checked it is {@link BatchFormat.Header#plausible}). */
    boolean crcMatches(final BatchFormat.Header header) throws IOException {
        final CRC32C crc = new CRC32C();
        long at = header.position() + BatchFormat.CRC_START;
        final long end = header.end();
        while (at < end) {
            final int piece = (int) Math.min(window.capacity(), end - at);
            if (!ensure(at, piece)) {
                return false;
            }
            final int from = (int) (at - windowStart);
            crc.update(window.duplicate().limit(from + piece).position(from));
            at += piece;
        }
        return (int) crc.getValue() == header.crc();
    }

    /**
     * Searches every byte offset from {@code from} for a batch that is plausible and whose CRC matches: what tells
     * a damaged batch in the middle of the log (something valid follows) from a torn tail. Returns its position or
     * -1. Cheap on a torn tail: almost no offset passes the plausibility test, so CRCs are rarely computed.
     */
    long findValidBatch(final long from) throws IOException {
        for (long at = from; at + BatchFormat.HEADER_BYTES <= limit; at++) {
            if (!ensure(at, BatchFormat.HEADER_BYTES)) {
                return -1;
            }
            // the length field alone rules out almost every offset (zeros, random bytes), without a Header each
            final long length = Integer.toUnsignedLong(window.getInt((int) (at - windowStart)));
            if (length < BatchFormat.MIN_LENGTH || at + BatchFormat.CRC_OFFSET + length > limit) {
                continue;
            }
            final BatchFormat.Header header = header(at);
            if (header.plausible(limit) && crcMatches(header)) {
                return at;
            }
        }
        return -1;
    }

    /** Makes {@code [position, position + length)} readable in the window; false if the limit comes first. */
    private boolean ensure(final long position, final int length) throws IOException {
        if (position + length > limit) {
            return false;
        }
        if (position >= windowStart && position + length <= windowStart + windowBytes) {
            return true;
        }
        window.clear().limit((int) Math.min(window.capacity(), limit - position));
        while (window.hasRemaining()) {
            if (channel.read(window, position + window.position()) < 0) {
                break;
            }
        }
        windowStart = position;
        windowBytes = window.position();
        return length <= windowBytes;
    }

    /** Builds the index of the batches in {@code [0, end)} of {@code segment}, walking headers only. */
    static SparseIndex buildIndex(final Segment segment, final long end, final int intervalBytes)
        throws IOException {
        final SparseIndex index = new SparseIndex(segment.baseId(), intervalBytes);
        try (SegmentScanner scanner = new SegmentScanner(segment.channel(), end)) {
            long position = 0;
            while (position < end) {
                final BatchFormat.Header header = scanner.header(position);
                if (header == null || !header.plausible(end)) {
                    throw new IOException(segment + ": no batch header at offset " + position + " below its end "
                        + end);
                }
                index.add(header.baseId(), position);
                position = header.end();
            }
        }
        return index;
    }
}
