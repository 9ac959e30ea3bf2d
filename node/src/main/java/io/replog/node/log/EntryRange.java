package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * {@code count} consecutive entries from {@code firstId}, all written in epoch {@code epoch}, as an entry run (see
 * {@link io.replog.protocol.EntryRun}). The run is a retained view of the log (or a copy read from its files):
 * whoever takes the range releases {@link #run()} (or hands it to a frame that does).
 */
public record EntryRange(long firstId, int count, ByteBuf run, long epoch) {

    /** An empty range starting at {@code firstId}. */
    public static EntryRange empty(final long firstId) {
        return new EntryRange(firstId, 0, Unpooled.EMPTY_BUFFER, 0);
    }

    /** Id of the last entry, {@code firstId - 1} when empty. */
    public long lastId() {
        return firstId + count - 1;
    }
}
