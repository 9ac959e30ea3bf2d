package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's log and vote as the consensus core uses them. Appends are written at once and made durable later (group
 * commit): the store reports each new durable position through {@link Replica#durable}. Truncation and the vote are
 * durable when the call returns. Single-threaded: only the replica's thread calls it.
 */
public interface ReplicaStorage {

    /** Highest msg_id held (written, durable or not); 0 when empty. */
    long lastId();

    /** Epoch of entry {@code id}; 0 for id 0. */
    long epochAt(long id);

    /** Last msg_id held of epoch {@code epoch}, or -1 when the log holds no entry of it. */
    long lastIdOf(long epoch);

    /** First msg_id held of epoch {@code epoch}, or -1 when the log holds no entry of it. */
    long firstIdOf(long epoch);

    PeerEntry entry(long id);

    /**
     * The entries from {@code fromId} on, which the log holds up to at least {@code fromId + maxCount - 1}: at most
     * {@code maxCount} of them, and no more than fit {@code maxBytes} counting each as its payload plus
     * {@code overhead} bytes, but always the first. This default reads them one at a time.
     */
    default List<PeerEntry> entries(final long fromId, final int maxCount, final long maxBytes, final int overhead) {
        final List<PeerEntry> entries = new ArrayList<>(Math.min(maxCount, 1024));
        long bytes = 0;
        for (long id = fromId; id < fromId + maxCount; id++) {
            final PeerEntry entry = entry(id);
            bytes += entry.payload().length + overhead;
            if (!entries.isEmpty() && bytes > maxBytes) {
                break;
            }
            entries.add(entry);
        }
        return entries;
    }

    /** Receives a tagged append the log holds: its msg_id, client id and sequence number. */
    interface TagConsumer {
        void accept(long msgId, long clientId, long seq);
    }

    /**
     * Every tagged append the store holds among its newest {@link #tagsKept} msg_ids, oldest first, without reading
     * the entries: a new master rebuilds its table of tags from it in memory.
     */
    void forEachTag(TagConsumer consumer);

    /**
     * How many of the newest msg_ids the store keeps the tags of: the window in which a master recognises a tagged
     * append sent again (its table of tags in memory is bounded by it too); an older one is stored again.
     */
    int tagsKept();

    /** Appends {@code entry} as msg_id {@link #lastId()} + 1. */
    void append(PeerEntry entry);

    /** Appends {@code entries} in order after {@link #lastId()} (a follower's run of the master's entries). */
    default void appendAll(final List<PeerEntry> entries) {
        for (final PeerEntry entry : entries) {
            append(entry);
        }
    }

    /** Drops every entry after {@code lastKept}, durably (kept aside in a rollback file where the store has one). */
    void truncateAfter(long lastKept);

    /** Highest msg_id durable: what survives a machine crash. */
    long durableId();

    /** Asks for what was appended to become durable; the store reports it through {@link Replica#durable}. */
    void sync();

    /** The epoch and vote saved last (0 and {@link Replica#NOBODY} for a new node). */
    long savedEpoch();

    int savedVote();

    /** Saves the epoch and the vote in it durably (fsync) before returning: a vote is never given twice. */
    void saveVote(long epoch, int votedFor);

    /**
     * Why this log may not be led from yet, or null: opening it cut a damaged part holding messages that may have
     * been acknowledged, and they are not back (a static master takes them back from a secondary first; leading
     * before would give their msg_ids to other messages).
     */
    default String missingPart() {
        return null;
    }
}
