package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * {@code count} consecutive entries from {@code firstId} as an entry run (see
 * {@link io.replog.protocol.EntryRun}). The run is a retained zero-copy view of the log: whoever takes the range
 * releases {@link #run()} (or hands it to a frame that does).
 */
public record EntryRange(long firstId, int count, ByteBuf run) {

    /** An empty range starting at {@code firstId}. */
    public static EntryRange empty(final long firstId) {
        return new EntryRange(firstId, 0, Unpooled.EMPTY_BUFFER);
    }

    /** Id of the last entry, {@code firstId - 1} when empty. */
    public long lastId() {
        return firstId + count - 1;
    }
}
