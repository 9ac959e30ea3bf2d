package io.replog.node.cluster;

import io.replog.protocol.PeerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.consensus.ReplicaStorage;
import io.replog.node.log.LogStore;
import io.replog.node.log.RollbackFile;
import io.replog.node.log.TagFile;
import io.replog.node.log.VoteFile;
import io.replog.protocol.EntryRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * The consensus core's storage over the node's {@link LogStore} (segment files, CRC32C, group commit) and its
 * {@link VoteFile}. Entries are staged and committed as one batch when the core asks for them to become durable (or
 * when it needs to read them back), so a burst of appends or a replicated message costs one batch, not one per
 * entry; the store's flush policy makes them durable and reports it through the durability listener.
 *
 * <p>The core speaks in <b>log indexes</b>: every entry it holds has one, a new master's epoch-start entry too. That
 * entry is no message: it is stored as an epoch mark ({@link LogStore#appendMark}, a batch of no entries) and takes
 * no msg_id, so readers see msg_ids 1, 2, 3 … and nothing nobody appended; {@link IndexMap} translates. (Logs
 * written before marks existed hold empty messages there: those stay messages, they were served already.)
 *
 * <p>The tags of tagged appends travel with the entries; the node remembers them, by index, for the newest
 * {@value #TAGS_KEPT} entries ({@link TagWindow}), in memory and, with a data directory, in its {@link TagFile}
 * (fsynced before the entries are committed), so a node that restarts still knows them when it becomes master.
 * Entries are read back by {@link LogEntryReader}, the newest from {@link RecentEntries} as they were appended.
 */
final class LogReplicaStorage implements ReplicaStorage, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogReplicaStorage.class);
    static final int TAGS_KEPT = 1 << 16;

    private final LogStore log;
    private final VoteFile vote;
    private final Path rollbackDir;
    private final TagWindow tags;
    private final RecentEntries recent = new RecentEntries();
    private final LogEntryReader reader;
    /** Where an entry is written as {@code length | bytes} before it is staged: one buffer, reused. */
    private final ByteBuf scratch = Unpooled.buffer(4096);
    private int staged;
    private long stagedEpoch;
    /** Messages cut from the log because they conflicted with a master's (the status's {@code rolled_back}). */
    private volatile long messagesCut;

    /**
     * {@code dataDir}: where rollback files and the tag file go (null: a log in memory, tags in memory only). What
     * is committed becomes durable by the log's flush policy, which reports it through its durability listener.
     */
    LogReplicaStorage(final LogStore log, final VoteFile vote, final Path dataDir) {
        this.log = log;
        this.vote = vote;
        this.rollbackDir = dataDir;
        this.tags = new TagWindow(dataDir, IndexMap.lastIndex(log.marks(), log.lastId()), TAGS_KEPT);
        this.reader = new LogEntryReader(log, recent, tags);
    }

    /** The last index: the committed messages and every mark (marks are committed at once), then what is staged. */
    @Override
    public long lastId() {
        return log.lastId() + log.markCount() + staged; // every mark comes before the last message
    }

    @Override
    public long epochAt(final long id) {
        if (id <= 0) {
            return 0;
        }
        final long[] marks = log.marks();
        if (id > IndexMap.lastIndex(marks, log.lastId())) {
            return stagedEpoch;
        }
        final int mark = IndexMap.markAt(marks, id);
        return mark >= 0 ? marks[2 * mark] : log.epochAt(IndexMap.msgIdAt(marks, id));
    }

    /** The msg_id readers see at or below {@code index} (the message there, or the last one before a mark). */
    long msgIdAt(final long index) {
        return IndexMap.msgIdAt(log.marks(), index);
    }

    @Override
    public long lastIdOf(final long epoch) {
        final long[] range = rangeOf(epoch);
        return range == null ? -1 : range[1];
    }

    @Override
    public long firstIdOf(final long epoch) {
        final long[] range = rangeOf(epoch);
        return range == null ? -1 : range[0];
    }

    /** The first and last index the log holds of {@code epoch} (its mark, its messages), or null when none. */
    private long[] rangeOf(final long epoch) {
        commitStaged();
        return reader.rangeOf(epoch);
    }

    @Override
    public PeerEntry entry(final long id) {
        return entries(id, 1, Long.MAX_VALUE, 0).get(0);
    }

    /** Reads whole runs of the log (one slice of its tail cache per epoch or file), not one entry at a time. */
    @Override
    public List<PeerEntry> entries(final long fromId, final int maxCount, final long maxBytes, final int overhead) {
        commitStaged();
        return reader.entries(fromId, maxCount, maxBytes, overhead);
    }

    @Override
    public void forEachTag(final TagConsumer consumer) {
        tags.forEach(lastId(), consumer);
    }

    @Override
    public int tagsKept() {
        return TAGS_KEPT;
    }

    @Override
    public void append(final PeerEntry entry) {
        if (entry.epochStart()) {
            // committed at once (once per epoch): what is committed is what the index map counts
            commitStaged();
            log.appendMark(entry.epoch());
            log.commit();
            tags.remember(lastId(), 0, 0);
            recent.keep(lastId(), entry);
            return;
        }
        if (staged > 0 && entry.epoch() != stagedEpoch) {
            commitStaged(); // a batch holds one epoch
        }
        scratch.clear();
        EntryRun.writeEntry(scratch, entry.payload());
        log.appendRun(scratch, 1, entry.epoch());
        staged(entry);
    }

    /** A follower's run of the master's entries: the messages of one epoch are staged with one copy into the log. */
    @Override
    public void appendAll(final List<PeerEntry> entries) {
        int i = 0;
        while (i < entries.size()) {
            final PeerEntry first = entries.get(i);
            if (first.epochStart()) {
                append(first);
                i++;
                continue;
            }
            if (staged > 0 && first.epoch() != stagedEpoch) {
                commitStaged(); // a batch holds one epoch
            }
            scratch.clear();
            int end = i;
            for (; end < entries.size(); end++) {
                final PeerEntry next = entries.get(end);
                if (next.epochStart() || next.epoch() != first.epoch()) {
                    break;
                }
                EntryRun.writeEntry(scratch, next.payload());
            }
            log.appendRun(scratch, end - i, first.epoch());
            for (int k = i; k < end; k++) {
                staged(entries.get(k));
            }
            i = end;
        }
    }

    /** Counts a message staged in the log (its index is the new last one), and keeps its tag. */
    private void staged(final PeerEntry entry) {
        staged++;
        stagedEpoch = entry.epoch();
        final long id = lastId();
        tags.staged(id, entry);
        recent.keep(id, entry);
    }

    @Override
    public void truncateAfter(final long lastKept) {
        commitStaged();
        final long[] marks = log.marks();
        final long formerLastIndex = IndexMap.lastIndex(marks, log.lastId());
        if (formerLastIndex <= lastKept) {
            return;
        }
        // kept: the messages up to keptId, and the marks up to lastKept (those before keptId + 1 follow a cut there)
        final int mark = IndexMap.markAt(marks, lastKept);
        final long keptId = IndexMap.msgIdAt(marks, lastKept);
        int marksKept = 0;
        for (int k = mark; k >= 0 && marks[2 * k + 1] == keptId + 1; k--) {
            marksKept++;
        }
        final long formerLast = log.lastId();
        final String kept = formerLast <= keptId ? "no message cut"
            : rollbackDir == null ? "not kept (the log is in memory)"
            : "kept in " + RollbackFile.save(rollbackDir, log, keptId + 1, formerLast);
        tags.truncateAfter(lastKept);
        recent.forgetAfter(lastKept);
        log.truncateAfter(keptId, marksKept);
        messagesCut += formerLast - keptId; // one writer: the replica's thread
        LOG.warn("node: cut log indexes {}..{} (msg_ids {}..{}), which the master's log does not hold; {}",
            lastKept + 1, formerLastIndex, keptId + 1, formerLast, kept);
    }

    /** The durable index: durable messages and marks up to the first entry that is not. */
    @Override
    public long durableId() {
        return IndexMap.durableIndex(log.marks(), log.durableId(), log.durableMarks());
    }

    @Override
    public void sync() {
        commitStaged();
    }

    private void commitStaged() {
        if (staged > 0) {
            staged = 0;
            tags.flush(); // a tag is durable no later than its entry
            try {
                log.commit();
            } catch (RuntimeException e) {
                // the store dropped the staged entries: so go their tags (the replica halts on this failure)
                final long lastKept = IndexMap.lastIndex(log.marks(), log.lastId());
                tags.truncateAfter(lastKept);
                recent.forgetAfter(lastKept);
                throw e;
            }
        }
    }

    /** Messages cut so far (kept in rollback files when the log is on disk); read from any thread. */
    long messagesCut() {
        return messagesCut;
    }

    @Override
    public void close() {
        scratch.release();
        tags.close();
    }

    @Override
    public String missingPart() {
        final io.replog.node.log.CutDamage damage = log.damage();
        final long held = log.lastId() + staged; // what was taken back is staged until the epoch's first sync
        return damage == null || held >= damage.formerEnd() ? null : "the log was damaged at " + damage.where()
            + " and held msg_ids up to " + damage.formerEnd() + "; waiting for a secondary that holds them (has "
            + held + ")";
    }

    @Override
    public long savedEpoch() {
        // never below an epoch the log holds or started: a log written without a vote file (by fixed roles before
        // the engine, or kept in memory across a restart of the process) would otherwise have its master enter an
        // epoch its entries already carry, which the log refuses
        return Math.max(vote.epoch(), Math.max(log.epoch(), log.epochAt(log.lastId())));
    }

    @Override
    public int savedVote() {
        return vote.votedFor();
    }

    @Override
    public void saveVote(final long epoch, final int votedFor) {
        vote.save(epoch, votedFor);
    }
}
