package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.replog.protocol.EntryRun;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Cuts a segment file right after an entry. When the entry ends its batch, the file is truncated at the batch's
 * end. When it is in the middle of a batch, the batch's prefix becomes a batch of its own: its entries stay where
 * they are (same header size, same offsets), so only the header is rewritten (count, length, fresh CRC). The
 * order keeps every kept entry recoverable at each step: cut after the batch and fsync (the batch is whole), rewrite
 * the header (a crash now leaves a valid shorter batch and a torn tail of old entries, which recovery cuts), cut
 * after the prefix, fsync.
 */
final class SegmentTruncator {
    private SegmentTruncator() {
    }

    /** Cuts {@code segment} (which holds {@code lastKept} and later entries) right after entry {@code lastKept}. */
    static void cutAfter(final Segment segment, final SparseIndex index, final long lastKept,
                         final Durability durability) throws IOException {
        final BatchFormat.Header batch = SegmentReader.locate(segment, index.floorPosition(lastKept), lastKept,
            segment.end());
        segment.truncate(batch.end());
        durability.force(segment.channel());
        if (batch.lastId() == lastKept) {
            return;
        }
        final ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer((int) batch.totalBytes());
        try {
            final ByteBuffer target = buffer.nioBuffer(0, (int) batch.totalBytes());
            while (target.hasRemaining()) {
                if (segment.channel().read(target, batch.position() + target.position()) < 0) {
                    throw new IOException(segment.path() + " ends inside the batch at " + batch.position());
                }
            }
            final int count = (int) (lastKept - batch.baseId() + 1);
            int end = BatchFormat.HEADER_BYTES;
            for (int i = 0; i < count; i++) {
                end += EntryRun.ENTRY_OVERHEAD + buffer.getInt(end);
            }
            BatchFormat.seal(buffer, 0, end - BatchFormat.HEADER_BYTES, batch.baseId(), count, batch.epoch(),
                batch.timestamp());
            FileIo.REAL.write(segment.channel(), buffer.nioBuffer(0, BatchFormat.HEADER_BYTES), batch.position());
            segment.truncate(batch.position() + end);
            durability.force(segment.channel());
        } finally {
            buffer.release();
        }
    }
}
