package io.replog.protocol;

/**
 * READ: ask a node for up to {@code maxCount} messages starting at {@code fromId} (1 is the first message). With
 * {@code waitMs} &gt; 0 (flag {@link #FLAG_WAIT}) a node that holds nothing at {@code fromId} yet answers when it does,
 * or after {@code waitMs} with no entries: a long poll, which is how {@code logctl tail -f} follows a log.
 */
public record Read(long requestId, long fromId, int maxCount, long waitMs) implements Frame {
    /** Body: from_id (i64), max_count (i32). */
    public static final int BODY_LENGTH = 12;
    /** Body with {@link #FLAG_WAIT}: from_id (i64), max_count (i32), wait_ms (u32). */
    public static final int WAIT_BODY_LENGTH = 16;
    /** The READ waits up to wait_ms for an entry at from_id. */
    public static final int FLAG_WAIT = 0x0001;
    /** The longest wait a node accepts: a connection that waits longer looks dead to whoever watches it. */
    public static final long MAX_WAIT_MS = 60_000;

    /** A READ answered at once. */
    public Read(final long requestId, final long fromId, final int maxCount) {
        this(requestId, fromId, maxCount, 0);
    }

    public boolean waits() {
        return waitMs > 0;
    }

    @Override
    public byte type() {
        return FrameType.READ;
    }
}
