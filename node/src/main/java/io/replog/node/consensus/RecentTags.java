package io.replog.node.consensus;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A master's table of the tagged appends in the newest {@code window} msg_ids of its log: (client id, seq) → msg_id
 * and the payload's checksum (known for what it appended itself, read from the log when needed for what was there
 * when it was elected). The window is the storage's ({@link ReplicaStorage#tagsKept}), so a master recognises the
 * same tags whether it appended them itself or learnt them from its log at its election or after a restart. Older
 * tags are forgotten as the log grows (a FIFO in msg_id order beside the map), so memory is bounded by the window
 * whatever the traffic; a tag re-sent after that is stored again.
 */
final class RecentTags {
    record Tag(long clientId, long seq) {
    }

    /** One tagged append: {@code checksumKnown} false when only the log knows its payload. */
    record Tagged(Tag tag, long msgId, int checksum, boolean checksumKnown) {
    }

    private final long window;
    private final Map<Tag, Tagged> byTag = new HashMap<>();
    /** Every entry of {@link #byTag}, oldest msg_id first: the next to forget is at the front. */
    private final ArrayDeque<Tagged> byMsgId = new ArrayDeque<>();

    RecentTags(final long window) {
        if (window < 1) {
            throw new IllegalArgumentException("the window of tags kept must be positive, got " + window);
        }
        this.window = window;
    }

    /** The append tagged (clientId, seq) if it is among the newest window msg_ids below {@code lastId}, or null. */
    Tagged find(final long clientId, final long seq, final long lastId) {
        forgetBefore(lastId);
        return byTag.get(new Tag(clientId, seq));
    }

    /** Remembers tagged msg_id {@code msgId}, the newest in the log, and forgets what falls out of the window. */
    void add(final long clientId, final long seq, final long msgId, final int checksum, final boolean known) {
        final Tagged tagged = new Tagged(new Tag(clientId, seq), msgId, checksum, known);
        byTag.put(tagged.tag(), tagged);
        byMsgId.addLast(tagged);
        forgetBefore(msgId);
    }

    /** Forgets every tag; then (a new master) learns the ones its storage knows, oldest first. */
    void rebuild(final ReplicaStorage log) {
        clear();
        log.forEachTag((msgId, clientId, seq) -> add(clientId, seq, msgId, 0, false));
        forgetBefore(log.lastId());
    }

    void clear() {
        byTag.clear();
        byMsgId.clear();
    }

    /** Tags remembered: at most the window. */
    int size() {
        return byTag.size();
    }

    /** Forgets the tags of msg_ids at or below {@code lastId - window}. */
    private void forgetBefore(final long lastId) {
        final long oldestKept = lastId - window + 1;
        while (!byMsgId.isEmpty() && byMsgId.peekFirst().msgId() < oldestKept) {
            final Tagged old = byMsgId.pollFirst();
            byTag.remove(old.tag(), old); // a newer append of the same tag (stored again) stays
        }
    }
}
