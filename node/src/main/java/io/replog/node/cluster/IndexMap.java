package io.replog.node.cluster;

/**
 * The consensus engine's log index ↔ the msg_ids readers see. The engine numbers every entry it holds, its epoch
 * marks too ({@link io.replog.node.log.LogStore#marks()}: a new master's first entry, which takes no msg_id); a
 * mark sits exactly at its epoch's start, so with the marks (epoch, msg_id of the epoch's first message) in order,
 * mark k (0-based) has index {@code base_k + k} and message m has index {@code m + (marks whose base ≤ m)}. Logs
 * without marks (fixed roles, data written before marks existed) have index = msg_id. Linear over the marks: one
 * per failover epoch, a handful.
 */
final class IndexMap {
    private IndexMap() {
    }

    /** Index of the {@code k}-th mark (0-based) of {@code marks} (flattened (epoch, base) pairs). */
    static long indexOfMark(final long[] marks, final int k) {
        return marks[2 * k + 1] + k;
    }

    /** Index of message {@code msgId} (0 for 0). */
    static long indexOfMessage(final long[] marks, final long msgId) {
        if (msgId <= 0) {
            return 0;
        }
        long index = msgId;
        for (int i = 1; i < marks.length && marks[i] <= msgId; i += 2) {
            index++;
        }
        return index;
    }

    /** Index of the last entry of a log whose last message is {@code lastId}: every mark comes before it. */
    static long lastIndex(final long[] marks, final long lastId) {
        return lastId + marks.length / 2;
    }

    /** The mark (0-based, in {@code marks}) whose index is {@code index}, or -1 when it is a message's (or 0). */
    static int markAt(final long[] marks, final long index) {
        for (int k = 0; k < marks.length / 2; k++) {
            final long at = indexOfMark(marks, k);
            if (at == index) {
                return k;
            }
            if (at > index) {
                break;
            }
        }
        return -1;
    }

    /** The highest msg_id at or below index {@code index}: the message there, or the one before a mark there. */
    static long msgIdAt(final long[] marks, final long index) {
        long msgId = index;
        for (int k = 0; k < marks.length / 2 && indexOfMark(marks, k) <= index; k++) {
            msgId--;
        }
        return Math.max(0, msgId);
    }

    /** The index of the first mark after {@code index}, or {@code Long.MAX_VALUE}. */
    static long nextMarkAfter(final long[] marks, final long index) {
        for (int k = 0; k < marks.length / 2; k++) {
            final long at = indexOfMark(marks, k);
            if (at > index) {
                return at;
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * The highest index up to which everything is durable, when messages are durable up to {@code durableId} and
     * the first {@code durableMarks} marks are: one before the first entry that is not.
     */
    static long durableIndex(final long[] marks, final long durableId, final int durableMarks) {
        final long firstMessageNot = indexOfMessage(marks, durableId + 1);
        final int count = marks.length / 2;
        final long firstMarkNot = durableMarks < count ? indexOfMark(marks, durableMarks) : Long.MAX_VALUE;
        return Math.min(firstMessageNot, firstMarkNot) - 1;
    }
}
