package io.replog.node.log;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The record batch, the unit of a segment file (after Kafka's v2 batch). Big-endian, no padding:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 length (u32): bytes after this field          |  0
 * +---------------------------------------------------------------+
 * |                 crc (u32): CRC32C of bytes 8 .. end           |  4
 * +---------------------------------------------------------------+
 * |                 base_id (i64): msg_id of the first entry      |  8
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                 count (i32): entries; 0 for an epoch mark     | 16
 * +---------------------------------------------------------------+
 * |                 epoch (i64): of the master that wrote them    | 20
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                 timestamp (i64): ms since the epoch, at commit| 28
 * |                                                               |
 * +---------------------------------------------------------------+
 * |     entries: count × (len u32, len bytes), an entry run       | 36
 * |                             ...                               |
 * </pre>
 * The entries are stored exactly as READ_OK carries them, so serving them needs no re-encoding.
 *
 * <p>A batch with count 0 and no entries is an <b>epoch mark</b>: the first thing a failover master writes in its
 * epoch (the consensus engine's entry that lets earlier ones commit, Raft §5.4.2). It takes no msg_id (base_id is
 * the msg_id its epoch's first message gets) and readers never see it; recovery puts it back in the
 * {@link EpochHistory}.
 */
final class BatchFormat {
    static final int LENGTH_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int BASE_ID_OFFSET = 8;
    static final int COUNT_OFFSET = 16;
    static final int EPOCH_OFFSET = 20;
    static final int TIMESTAMP_OFFSET = 28;
    /** Bytes before the first entry. */
    static final int HEADER_BYTES = 36;
    /** The CRC covers everything from here to the end of the batch. */
    static final int CRC_START = BASE_ID_OFFSET;
    /** The smallest value of the length field: the header after it, no entries. */
    static final int MIN_LENGTH = HEADER_BYTES - CRC_OFFSET;

    private BatchFormat() {
    }

    /** A batch header as read from a file. {@code position} is where the batch starts in its segment. */
    record Header(long position, int length, int crc, long baseId, int count, long epoch, long timestamp) {
        /** Bytes of the whole batch, header included. */
        long totalBytes() {
            return CRC_OFFSET + Integer.toUnsignedLong(length);
        }

        long lastId() {
            return baseId + count - 1;
        }

        long end() {
            return position + totalBytes();
        }

        /** An epoch mark: no entries. */
        boolean mark() {
            return count == 0;
        }

        /** Whether the fields are ones the writer could have written, for a batch ending by {@code limit}. */
        boolean plausible(final long limit) {
            final long entryBytes = Integer.toUnsignedLong(length) - MIN_LENGTH;
            return entryBytes >= 0 && end() <= limit && baseId > 0 && epoch >= 0
                && (count > 0 && (long) count * 4 <= entryBytes || count == 0 && entryBytes == 0);
        }
    }

    /** Reads the header at {@code buffer}'s absolute index {@code index}, for a batch at file {@code position}. */
    static Header header(final ByteBuffer buffer, final int index, final long position) {
        return new Header(position, buffer.getInt(index + LENGTH_OFFSET), buffer.getInt(index + CRC_OFFSET),
            buffer.getLong(index + BASE_ID_OFFSET), buffer.getInt(index + COUNT_OFFSET),
            buffer.getLong(index + EPOCH_OFFSET), buffer.getLong(index + TIMESTAMP_OFFSET));
    }

    /** Same, from a ByteBuf. */
    static Header header(final ByteBuf buffer, final int index, final long position) {
        return new Header(position, buffer.getInt(index + LENGTH_OFFSET), buffer.getInt(index + CRC_OFFSET),
            buffer.getLong(index + BASE_ID_OFFSET), buffer.getInt(index + COUNT_OFFSET),
            buffer.getLong(index + EPOCH_OFFSET), buffer.getLong(index + TIMESTAMP_OFFSET));
    }

    /**
     * Fills in the header of the batch whose entries ({@code entryBytes} of them) follow the header at
     * {@code start}, CRC included.
     */
    static void seal(final ByteBuf buffer, final int start, final int entryBytes, final long baseId, final int count,
                     final long epoch, final long timestamp) {
        buffer.setInt(start + LENGTH_OFFSET, MIN_LENGTH + entryBytes);
        buffer.setLong(start + BASE_ID_OFFSET, baseId);
        buffer.setInt(start + COUNT_OFFSET, count);
        buffer.setLong(start + EPOCH_OFFSET, epoch);
        buffer.setLong(start + TIMESTAMP_OFFSET, timestamp);
        buffer.setInt(start + CRC_OFFSET, crc(buffer, start + CRC_START, HEADER_BYTES - CRC_START + entryBytes));
    }

    /** CRC32C of {@code length} bytes of {@code buffer} from {@code index}, without moving its indexes. */
    static int crc(final ByteBuf buffer, final int index, final int length) {
        final CRC32C crc = new CRC32C();
        if (buffer.nioBufferCount() == 1) {
            crc.update(buffer.nioBuffer(index, length));
        } else {
            for (final ByteBuffer part : buffer.nioBuffers(index, length)) {
                crc.update(part);
            }
        }
        return (int) crc.getValue();
    }
}
