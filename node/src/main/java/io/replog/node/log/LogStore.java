package io.replog.node.log;

import io.netty.buffer.ByteBuf;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The log: messages with msg_ids 1, 2, 3, … and no gaps. One thread writes (the single writer: appends, commits,
 * truncation); any number of threads read concurrently.
 *
 * <p>Writes are staged and then committed: {@link #append}/{@link #appendRun} stage entries into the open batch
 * (the writer sees them in {@link #appendedId()}), {@link #commit()} ends the batch, makes its entries readable
 * ({@link #lastId()}) and hands them to the flush policy, which makes them durable ({@link #durableId()}), at
 * once or later. Only durable entries count toward a write concern.
 *
 * <p>Every entry carries the epoch of the master that first wrote it: entries with the same msg_id and the same
 * epoch are the same entry on every node, and so are all the entries before them.
 */
public interface LogStore extends AutoCloseable {

    /**
     * Identity of this log, random and fixed when it is created (0 for a secondary's store that has not yet followed
     * a master): replication carries it so that a secondary never mixes entries of two different logs.
     */
    long logId();

    /**
     * Takes the identity of the log this store copies (a secondary follows its master's log); persistent stores
     * persist it before returning. Only while the store is empty.
     *
     * @throws IllegalStateException if the store holds entries
     */
    void adoptLogId(long logId);

    /** The epoch {@link #append} stamps on entries: the latest one started, 0 before any. */
    long epoch();

    /**
     * Starts epoch {@code epoch} (a master does on every start): persisted before returning; entries appended from
     * now on carry it. Nothing may be staged.
     *
     * @throws IllegalArgumentException unless {@code epoch} is greater than every epoch this log holds or started
     */
    void startEpoch(long epoch);

    /** Epoch of entry {@code id}; 0 for id 0. Any thread, for ids up to {@link #lastId()}. */
    long epochAt(long id);

    /**
     * The highest msg_id whose entry has an epoch ≤ {@code epoch} (0 if none): where this log's history of that epoch
     * ends, so a copy whose last entry has that epoch and ends later holds a tail this log does not have (Kafka's
     * leader-epoch end offset).
     */
    long endOfEpoch(long epoch);

    /** Where each epoch starts: (epoch, first msg_id) pairs flattened, oldest first. Any thread. */
    long[] epochHistory();

    /** Highest msg_id committed, 0 when empty. Everything up to it is readable. Any thread. */
    long lastId();

    /** Highest msg_id staged or committed. Writer only. */
    long appendedId();

    /**
     * Highest msg_id that counts as stored under the flush policy (≤ {@link #lastId()}): fsynced under {@code batch},
     * committed under {@code interval} and {@code never} and for a store in memory. Any thread.
     */
    long durableId();

    /**
     * Called with the new {@link #durableId()} each time it advances, from the thread that advanced it (the writer's,
     * in {@link #commit()}, or the store's flusher): keep it short. Replaces the previous listener; null for none.
     */
    void durabilityListener(LongConsumer listener);

    /**
     * What opening the log cut out of it because of damage in its middle and set aside
     * ({@link CorruptionPolicy#SET_ASIDE}), for the node to take back; null when nothing was.
     */
    CutDamage damage();

    /** The part {@link #damage()} names is back in the log (taken back from a secondary): forgets it, durably. */
    void damageRepaired();

    /**
     * Why the log refuses writes for good (an fsync failed: what was written since the last good one may be lost, so
     * nothing can be called durable any more; or a failed write could not be undone), or null while it takes them.
     * Any thread. Restarting the node recovers what is on disk.
     */
    String failure();

    /**
     * Called once, from the thread that found it, when the log starts refusing writes for good ({@link #failure()}
     * becomes non-null); {@link #durableId()} stays where it was. Replaces the previous listener; null for none.
     */
    void failureListener(Consumer<String> listener);

    /**
     * Stages a copy of {@code payload}'s readable bytes (the caller still owns and releases {@code payload}) with the
     * current {@link #epoch()} and returns its msg_id. Writer only.
     *
     * @throws LogFullException (nothing staged) when the entry would take the log past its size limit
     */
    long append(ByteBuf payload);

    /**
     * Stages {@code count} entries given as an entry run (the READ_OK layout) written in epoch {@code epoch}, without
     * consuming {@code run}, and returns the last msg_id. All or nothing. Writer only; this is how a secondary stores
     * a batch without touching each message.
     *
     * @throws LogFullException (nothing staged) when the run would take the log past its size limit
     * @throws IllegalArgumentException when {@code epoch} is below the epoch of the last entry
     */
    long appendRun(ByteBuf run, int count, long epoch);

    /**
     * Stages an <b>epoch mark</b> of {@code markEpoch} (a failover master's first entry in its epoch, which
     * consensus needs and readers never see): a batch with no entries before the next msg_id, CRC'd, committed,
     * made durable and cut like any batch, but taking no msg_id. Writer only; nothing else of that epoch may
     * precede it.
     *
     * @throws IllegalArgumentException unless {@code markEpoch} is above the epoch of every entry and mark held
     */
    void appendMark(long markEpoch);

    /**
     * The committed epoch marks, oldest first, flattened: (epoch, the msg_id its epoch's first message gets) pairs;
     * several may share a msg_id. Any thread.
     */
    long[] marks();

    /** How many marks {@link #marks()} holds, without copying them (the hot path asks). Any thread. */
    int markCount();

    /** How many of {@link #marks()} (the first ones) count as stored under the flush policy. Any thread. */
    int durableMarks();

    /**
     * Ends the open batch: its entries become readable ({@link #lastId()}) and go to the flush policy. Does nothing
     * when nothing is staged. Writer only.
     *
     * @throws LogFullException      when the disk is full: the staged entries are dropped (never readable), the log
     *                               is as before the batch
     * @throws java.io.UncheckedIOException when writing failed otherwise: the staged entries are dropped
     */
    void commit();

    /**
     * Reads consecutive committed entries of one epoch starting at {@code fromId} as an entry run, at most
     * {@code maxCount} entries and about {@code maxBytes} bytes (at least one entry when any exists). A read may
     * return fewer entries than are available (at an epoch or file boundary); callers loop. Returns an empty range
     * (count 0) past the end. Any thread; the caller releases the range's run.
     *
     * @throws IllegalArgumentException for {@code fromId} &lt; 1
     */
    EntryRange read(long fromId, int maxCount, int maxBytes);

    /**
     * Removes every entry after {@code lastKept} (committed or staged), durably before returning for persistent
     * stores; {@link #lastId()}, {@link #durableId()} and the epochs follow. Writer only. For a secondary whose tail
     * conflicts with its master's log: it reads what it cuts first, to keep it.
     */
    void truncateAfter(long lastKept);

    /**
     * {@link #truncateAfter(long)}, keeping the first {@code marksKept} marks placed before msg_id
     * {@code lastKept + 1} (which that cut removes): they are written again and made durable before returning.
     */
    void truncateAfter(long lastKept, int marksKept);

    /**
     * Bytes the log's committed entries take: their segment files (with the batches' framing) for a log on disk,
     * their memory otherwise. Any thread.
     */
    long sizeBytes();

    /** Told about every fsync the log does, for metrics; a log in memory does none. Replaces the previous one. */
    default void fsyncObserver(final FsyncObserver observer) {
    }

    /** Bytes of memory the log holds (payloads, framing and index), for health and benchmarks. */
    long memoryBytes();

    /** Makes everything committed durable (a persistent store fsyncs) and releases the store. */
    @Override
    void close();
}
