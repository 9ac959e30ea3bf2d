package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What must hold in every state of a cluster, checked after every event of a {@link Simulation}:
 * <ol>
 *   <li>at most one master per epoch;</li>
 *   <li>no node's epoch ever goes back (also across its restarts);</li>
 *   <li>one msg_id written in one epoch holds the same entry on every node (Raft's log matching);</li>
 *   <li>a committed entry (acknowledged with w ≥ a majority, or below any node's commit point) is never replaced:
 *       it is on every later master at the same msg_id with the same bytes, and no node ever cuts it; so every log
 *       is a prefix of the committed log, or cuts back to one;</li>
 *   <li>a tagged append is committed at most once; an acknowledged one is in the log of the node that answered, at
 *       the msg_id it answered, with the client's bytes;</li>
 *   <li>under a static leader: it is the only node that ever leads, and no other ever campaigns. Rule 4 then says
 *       that what w ≥ a majority acknowledged survives its crashes, also those that took its unsynced tail.</li>
 * </ol>
 */
final class Invariants implements SimDisk.Watcher {
    private record Slot(long id, long epoch) {
    }

    private record Tag(long clientId, long seq) {
    }

    /** A committed entry and the lowest epoch it was known committed in: every master of a later epoch holds it. */
    private record Committed(PeerEntry entry, long epoch) {
    }

    private final int majority;
    /** The static master, or {@link Replica#NOBODY} when elected. */
    private final int staticMaster;
    private final Map<Slot, PeerEntry> written = new HashMap<>();
    private final Map<Long, Committed> committed = new HashMap<>();
    private final Map<Tag, Long> committedTags = new HashMap<>();
    private final Map<Long, Integer> masters = new HashMap<>();
    private final long[] highestEpoch;
    private final long[] commitChecked;
    private final long[] completenessChecked;

    Invariants(final int clusterSize, final int staticMaster) {
        this.majority = clusterSize / 2 + 1;
        this.staticMaster = staticMaster;
        this.highestEpoch = new long[clusterSize + 1];
        this.commitChecked = new long[clusterSize + 1];
        this.completenessChecked = new long[clusterSize + 1];
    }

    long elections() {
        return masters.size();
    }

    long committed() {
        return committed.size();
    }

    void fail(final String why) {
        throw new InvariantViolation(why);
    }

    @Override
    public void written(final int node, final long id, final PeerEntry entry) {
        final PeerEntry before = written.putIfAbsent(new Slot(id, entry.epoch()), entry);
        if (before != null && !before.equals(entry)) {
            fail("log matching: node " + node + " wrote " + entry + " at msg_id " + id + " where epoch "
                + entry.epoch() + " already wrote " + before);
        }
    }

    @Override
    public void cut(final int node, final long id, final PeerEntry entry) {
        final Committed kept = committed.get(id);
        if (kept != null && kept.entry().equals(entry)) {
            fail("node " + node + " cut committed msg_id " + id + " " + entry);
        }
    }

    void crashed(final int node) {
        commitChecked[node] = 0;
    }

    /** A node answered an append as stored. */
    void acknowledged(final int node, final long epoch, final SimDisk disk, final long msgId, final long clientId,
                      final long seq, final int w, final byte[] payload, final List<SimDisk> disks) {
        if (msgId > disk.lastId()) {
            fail("node " + node + " acknowledged msg_id " + msgId + " but holds only up to " + disk.lastId());
        }
        final PeerEntry entry = disk.entry(msgId);
        if (entry.clientId() != clientId || entry.seq() != seq || !java.util.Arrays.equals(entry.payload(), payload)) {
            fail("node " + node + " acknowledged client " + clientId + " seq " + seq + " as msg_id " + msgId
                + " which holds " + entry);
        }
        int durable = 0;
        for (final SimDisk d : disks) {
            if (d.heldDurably(msgId, entry.epoch())) { // (msg_id, epoch) names one entry: log matching
                durable++;
            }
        }
        if (durable < w) {
            fail("node " + node + " acknowledged msg_id " + msgId + " with w=" + w + " but only " + durable
                + " node(s) hold it durably");
        }
        if (w >= majority) {
            commit(msgId, entry, epoch, "acknowledged with w=" + w + " by node " + node);
        }
    }

    /** After every event: the per-node rules. */
    void afterEvent(final Simulation simulation) {
        for (final Replica replica : simulation.liveReplicas()) {
            final int node = replica.id();
            final long epoch = replica.epoch();
            if (epoch < highestEpoch[node]) {
                fail("node " + node + "'s epoch went back from " + highestEpoch[node] + " to " + epoch);
            }
            highestEpoch[node] = epoch;
            final SimDisk disk = simulation.disk(node);
            if (staticMaster != Replica.NOBODY && node != staticMaster && replica.role() != Replica.Role.FOLLOWER) {
                fail("node " + node + " is " + replica.role() + " in epoch " + epoch + " under static master "
                    + staticMaster);
            }
            if (replica.role() == Replica.Role.LEADER) {
                final Integer master = masters.putIfAbsent(epoch, node);
                if (master != null && master != node) {
                    fail("two masters in epoch " + epoch + ": nodes " + master + " and " + node);
                }
                if (completenessChecked[node] != epoch) {
                    completenessChecked[node] = epoch;
                    for (final Map.Entry<Long, Committed> kept : committed.entrySet()) {
                        final long id = kept.getKey();
                        if (kept.getValue().epoch() >= epoch) {
                            continue; // committed by a later master than this (stale) one: it cannot commit anything
                        }
                        if (id > disk.lastId() || !disk.entry(id).equals(kept.getValue().entry())) {
                            fail("node " + node + " became master in epoch " + epoch + " without msg_id " + id + " "
                                + kept.getValue().entry() + ", committed in epoch " + kept.getValue().epoch()
                                + " (it holds "
                                + (id > disk.lastId() ? "nothing there" : disk.entry(id)) + ")");
                        }
                    }
                }
            }
            final long commitId = replica.commitId();
            for (long id = commitChecked[node] + 1; id <= commitId; id++) {
                if (id > disk.lastId()) {
                    fail("node " + node + " says msg_id " + commitId + " is committed but holds only "
                        + disk.lastId());
                }
                commit(id, disk.entry(id), epoch, "below node " + node + "'s commit point");
            }
            commitChecked[node] = Math.max(commitChecked[node], commitId);
        }
    }

    private void commit(final long id, final PeerEntry entry, final long epoch, final String why) {
        final Committed before = committed.get(id);
        if (before == null || epoch < before.epoch()) {
            committed.put(id, new Committed(entry, epoch));
        }
        if (before != null && !before.entry().equals(entry)) {
            fail("msg_id " + id + " committed twice: " + before.entry() + " in epoch " + before.epoch() + ", then "
                + entry + " in epoch " + epoch + " (" + why + ")");
        }
        if (entry.tagged()) {
            final Long first = committedTags.putIfAbsent(new Tag(entry.clientId(), entry.seq()), id);
            if (first != null && first != id) {
                fail("client " + entry.clientId() + " seq " + entry.seq() + " stored twice: msg_ids " + first
                    + " and " + id + " (" + why + ")");
            }
        }
    }

    /** The cluster came together on {@code log}: it holds every committed entry, and each tagged append once. */
    void converged(final List<PeerEntry> log) {
        for (final Map.Entry<Long, Committed> kept : committed.entrySet()) {
            final long id = kept.getKey();
            if (id > log.size() || !log.get((int) id - 1).equals(kept.getValue().entry())) {
                fail("the final log lost committed msg_id " + id + " " + kept.getValue().entry());
            }
        }
        final Map<Tag, Long> seen = new HashMap<>();
        for (int i = 0; i < log.size(); i++) {
            final PeerEntry entry = log.get(i);
            if (entry.tagged()) {
                final Long first = seen.putIfAbsent(new Tag(entry.clientId(), entry.seq()), i + 1L);
                if (first != null) {
                    fail("client " + entry.clientId() + " seq " + entry.seq() + " is in the final log twice: msg_ids "
                        + first + " and " + (i + 1));
                }
            }
        }
    }
}
