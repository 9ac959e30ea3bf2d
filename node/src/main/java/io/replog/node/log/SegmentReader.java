package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.replog.protocol.EntryRun;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads entries from a segment file: finds the batch holding the first id (index, then a walk of batch headers),
 * reads it and the batches after it into one pooled direct buffer with positional reads, checks each batch's CRC
 * (a damaged batch is never served) and returns the entries with the headers stripped, as slices of that buffer.
 * Stateless; any thread.
 */
final class SegmentReader {
    /** A read never asks for much more than this beyond its first batch, whatever maxBytes says. */
    static final int MAX_READ_BYTES = 1 << 20;
    /** Enough for the headers between two index entries in one read. */
    private static final int LOCATE_WINDOW_BYTES = 16 * 1024;

    private SegmentReader() {
    }

    /**
     * Entries of {@code segment} from {@code fromId} to at most {@code limitId}, all of the first batch's epoch,
     * at most {@code maxCount} and about {@code maxBytes} bytes (at least one entry).
     */
    static EntryRange read(final Segments segments, final Segment segment, final long fromId, final long limitId,
                           final int maxCount, final int maxBytes) throws IOException {
        final long end = segment.end();
        final BatchFormat.Header first = locate(segment, segments.indexOf(segment).floorPosition(fromId), fromId, end);
        final long want = Math.min(end - first.position(),
            first.totalBytes() + Math.min(maxBytes, MAX_READ_BYTES));
        final ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer((int) want, (int) want);
        try {
            readFully(segment, buffer, first.position(), (int) want);
            return entries(segment, buffer, first, fromId, limitId, maxCount, maxBytes);
        } finally {
            buffer.release();
        }
    }

    /** The header of the batch holding {@code id}, walking headers from {@code position}. */
    static BatchFormat.Header locate(final Segment segment, final long position, final long id,
                                             final long end) throws IOException {
        try (SegmentScanner scanner = new SegmentScanner(segment.channel(), end, LOCATE_WINDOW_BYTES)) {
            long at = position;
            while (true) {
                final BatchFormat.Header header = scanner.header(at);
                if (header == null || !header.plausible(end) || header.baseId() > id) {
                    throw new CorruptLogException(segment.path(), at, segment.path() + ": no batch holding msg_id "
                        + id + " at offset " + at + " (the file changed under the reader, or is damaged)");
                }
                if (header.lastId() >= id) {
                    return header;
                }
                at = header.end();
            }
        }
    }

    private static void readFully(final Segment segment, final ByteBuf buffer, final long position,
                                  final int length) throws IOException {
        final ByteBuffer target = buffer.nioBuffer(0, length);
        while (target.hasRemaining()) {
            if (segment.channel().read(target, position + target.position()) < 0) {
                throw new IOException(segment.path() + " ends at " + (position + target.position())
                    + " while reading " + length + " bytes from " + position);
            }
        }
        buffer.writerIndex(length);
    }

    /** Strips the headers of the batches in {@code buffer} (the first at index 0) and slices out the entries. */
    private static EntryRange entries(final Segment segment, final ByteBuf buffer, final BatchFormat.Header first,
                                      final long fromId, final long limitId, final int maxCount,
                                      final int maxBytes) {
        final List<ByteBuf> slices = new ArrayList<>(4);
        long next = fromId;
        long bytes = 0;
        int at = 0;
        try {
            while (next <= limitId && next - fromId < maxCount
                && at + BatchFormat.HEADER_BYTES <= buffer.writerIndex()) {
                final BatchFormat.Header header = BatchFormat.header(buffer, at, first.position() + at);
                if (header.epoch() != first.epoch() || header.baseId() != (at == 0 ? first.baseId() : next)
                    || at + header.totalBytes() > buffer.writerIndex()) {
                    break; // another epoch, or the batch is not wholly in the buffer: the caller reads again
                }
                if (!intact(buffer, at, header)) {
                    if (at > 0) {
                        break; // serve what precedes it; the read that starts at it throws
                    }
                    throw new CorruptLogException(segment.path(), header.position(), segment.path()
                        + ": damaged batch at byte offset " + header.position() + " (CRC mismatch, msg_ids "
                        + header.baseId() + ".." + header.lastId() + "); not served");
                }
                int entry = at + BatchFormat.HEADER_BYTES;
                for (long id = header.baseId(); id < next; id++) {
                    entry += EntryRun.ENTRY_OVERHEAD + buffer.getInt(entry);
                }
                final int start = entry;
                while (next <= Math.min(limitId, header.lastId()) && next - fromId < maxCount) {
                    final int size = EntryRun.ENTRY_OVERHEAD + buffer.getInt(entry);
                    if (next > fromId && bytes + size > maxBytes) {
                        return range(slices, start, entry, buffer, fromId, next, first.epoch());
                    }
                    bytes += size;
                    entry += size;
                    next++;
                }
                slices.add(buffer.retainedSlice(start, entry - start));
                at = (int) (at + header.totalBytes());
            }
            return range(slices, 0, 0, buffer, fromId, next, first.epoch());
        } catch (RuntimeException e) {
            slices.forEach(ByteBuf::release);
            throw e;
        }
    }

    private static EntryRange range(final List<ByteBuf> slices, final int start, final int end, final ByteBuf buffer,
                                    final long fromId, final long next, final long epoch) {
        if (end > start) {
            slices.add(buffer.retainedSlice(start, end - start));
        }
        if (slices.size() == 1) {
            return new EntryRange(fromId, (int) (next - fromId), slices.get(0), epoch);
        }
        final CompositeByteBuf run = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(Math.max(2, slices.size()));
        run.addComponents(true, slices);
        return new EntryRange(fromId, (int) (next - fromId), run, epoch);
    }

    private static boolean intact(final ByteBuf buffer, final int at, final BatchFormat.Header header) {
        return BatchFormat.crc(buffer, at + BatchFormat.CRC_START, (int) header.totalBytes() - BatchFormat.CRC_START)
            == header.crc();
    }
}
