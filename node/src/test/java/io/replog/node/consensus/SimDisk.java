package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A node's disk under the simulation: appends are written at once and durable only after the fsync the simulation
 * schedules; a machine crash keeps what was fsynced plus a random part of the rest (what the OS happened to write
 * out; a torn last write is cut by the CRC on recovery, so it too is lost whole). Truncation and the vote are
 * durable at once, as in the real store (which fsyncs both before answering).
 */
final class SimDisk implements ReplicaStorage {
    /** What the simulation checks on every write and cut. */
    interface Watcher {
        void written(int node, long id, PeerEntry entry);

        void cut(int node, long id, PeerEntry entry);
    }

    private final int node;
    private final Watcher watcher;
    private final Runnable syncRequested;
    private final List<PeerEntry> entries = new ArrayList<>();
    private long synced;
    /** Every (msg_id, epoch) this disk ever held durably: what a w count may rely on (a later cut is allowed). */
    private final java.util.Set<Long> everDurable = new java.util.HashSet<>();
    private long savedEpoch;
    private int savedVote;
    /** Every tag unless a test says otherwise: the simulation's logs stay far below the node's window. */
    private int tagsKept = Integer.MAX_VALUE;

    SimDisk(final int node, final Watcher watcher, final Runnable syncRequested) {
        this.node = node;
        this.watcher = watcher;
        this.syncRequested = syncRequested;
    }

    @Override
    public long lastId() {
        return entries.size();
    }

    @Override
    public long epochAt(final long id) {
        return id == 0 ? 0 : entries.get((int) id - 1).epoch();
    }

    @Override
    public long lastIdOf(final long epoch) {
        // epochs never go down along a log: the last entry at or below epoch
        int lo = 0;
        int hi = entries.size();
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (entries.get(mid).epoch() <= epoch) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo > 0 && entries.get(lo - 1).epoch() == epoch ? lo : -1;
    }

    @Override
    public long firstIdOf(final long epoch) {
        int lo = 0;
        int hi = entries.size();
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (entries.get(mid).epoch() < epoch) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < entries.size() && entries.get(lo).epoch() == epoch ? lo + 1 : -1;
    }

    @Override
    public PeerEntry entry(final long id) {
        return entries.get((int) id - 1);
    }

    /** Keeps the tags of only the newest {@code window} msg_ids (as the node's storage keeps 65,536). */
    void tagsKept(final int window) {
        this.tagsKept = window;
    }

    @Override
    public int tagsKept() {
        return tagsKept;
    }

    @Override
    public void forEachTag(final TagConsumer consumer) {
        for (int i = (int) Math.max(0, entries.size() - (long) tagsKept); i < entries.size(); i++) {
            final PeerEntry entry = entries.get(i);
            if (entry.tagged()) {
                consumer.accept(i + 1, entry.clientId(), entry.seq());
            }
        }
    }

    @Override
    public void append(final PeerEntry entry) {
        if (!entries.isEmpty() && entry.epoch() < entries.get(entries.size() - 1).epoch()) {
            throw new IllegalStateException("node " + node + ": epoch " + entry.epoch() + " appended after epoch "
                + entries.get(entries.size() - 1).epoch());
        }
        entries.add(entry);
        watcher.written(node, entries.size(), entry);
    }

    @Override
    public void truncateAfter(final long lastKept) {
        for (long id = entries.size(); id > lastKept; id--) {
            watcher.cut(node, id, entries.remove((int) id - 1));
        }
        synced = Math.min(synced, lastKept);
    }

    @Override
    public long durableId() {
        return synced;
    }

    @Override
    public void sync() {
        syncRequested.run();
    }

    /** The fsync ran: everything written is durable. */
    long fsync() {
        markDurable(synced, entries.size());
        synced = entries.size();
        return synced;
    }

    private void markDurable(final long from, final long to) {
        for (long id = from + 1; id <= to; id++) {
            everDurable.add(id * 1_000_003L + entries.get((int) id - 1).epoch());
        }
    }

    /** Whether this disk held entry {@code id} of {@code epoch} durably at some point. */
    boolean heldDurably(final long id, final long epoch) {
        return everDurable.contains(id * 1_000_003L + epoch);
    }

    @Override
    public long savedEpoch() {
        return savedEpoch;
    }

    @Override
    public int savedVote() {
        return savedVote;
    }

    @Override
    public void saveVote(final long epoch, final int votedFor) {
        if (epoch < savedEpoch) {
            throw new IllegalStateException("node " + node + ": epoch went back from " + savedEpoch + " to " + epoch);
        }
        savedEpoch = epoch;
        savedVote = votedFor;
    }

    /** The process died: the OS still writes out what it was given. */
    void processCrash() {
        markDurable(synced, entries.size());
        synced = entries.size();
    }

    /** The machine died: what was not fsynced survives only in part (a random prefix of it). */
    void machineCrash(final Random random) {
        final int keep = (int) synced + random.nextInt(entries.size() - (int) synced + 1);
        while (entries.size() > keep) {
            entries.remove(entries.size() - 1);
        }
        markDurable(synced, entries.size()); // what survived is on disk now
        synced = entries.size();
    }

    List<PeerEntry> entries() {
        return entries;
    }
}
