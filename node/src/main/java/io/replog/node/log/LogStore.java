package io.replog.node.log;

import io.netty.buffer.ByteBuf;

/**
 * The log: messages with msg_ids 1, 2, 3, … and no gaps. One thread appends (the single writer); any number of
 * threads read concurrently. Kept small so that a file-backed store can replace the in-memory one.
 */
public interface LogStore extends AutoCloseable {

    /**
     * Identity of this log, random and fixed when it is created (0 for a secondary's store that has not yet followed
     * a master): replication carries it so that a secondary never mixes entries of two different logs (a master
     * that restarted with an empty log starts a new one).
     */
    long logId();

    /**
     * Takes the identity of the log this store copies (a secondary follows its master's log). Only while the store
     * is empty: entries of one log never get another log's identity.
     *
     * @throws IllegalStateException if the store holds entries
     */
    void adoptLogId(long logId);

    /** Highest msg_id stored, 0 when empty. Everything up to it is readable. */
    long lastId();

    /**
     * Appends a copy of {@code payload}'s readable bytes (the caller still owns and releases {@code payload}) and
     * returns its msg_id. Single writer only.
     */
    long append(ByteBuf payload);

    /**
     * Appends {@code count} entries given as an entry run (the REPLICATE layout), without consuming {@code run}, and
     * returns the last msg_id. All or nothing: when the run does not fit the size limit, nothing is stored.
     * Single writer only; this is how a secondary stores a batch without touching each message.
     */
    long appendRun(ByteBuf run, int count);

    /**
     * Reads consecutive entries starting at {@code fromId} as an entry run, at most {@code maxCount} entries and
     * about {@code maxBytes} bytes (at least one entry when any exists). A read may return fewer entries than are
     * available, for instance at a segment boundary; callers loop. Returns {@link EntryRange#EMPTY}-like ranges
     * (count 0) past the end.
     */
    EntryRange read(long fromId, int maxCount, int maxBytes);

    /** Bytes of memory the log holds (payloads, framing and index), for health and benchmarks. */
    long memoryBytes();

    @Override
    void close();
}
