package io.replog.node.cluster;

import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.Replica;

/**
 * What the replica's thread last said about this node, published for the connections, the status and the metrics to
 * read without asking that thread: its role, epoch and master, how the cluster is led, a failed storage, a static
 * master's read-only reason, why it stepped down. The words an append's refusal and the status both give are built
 * here from one reading, so the two never tell a client different reasons.
 */
final class RoleState {
    /** What the connections may read without asking the replica's thread: one consistent triple. */
    record View(Replica.Role role, long epoch, int masterId) {
        boolean leads() {
            return role == Replica.Role.LEADER;
        }
    }

    private final Peers peers;
    private volatile View view = new View(Replica.Role.FOLLOWER, 0, Replica.NOBODY);
    /** Elected (failover) or a static leader (fixed roles): the read policy and what appends are told. */
    private volatile Leadership leadership = Leadership.elected();
    /** Why the replica stopped for good (its storage failed), or null. */
    private volatile String storageError;
    /**
     * Why this static master refuses appends (taking back its tail, no quorum), as the replica last said; null when
     * it takes them, and on every other node.
     */
    private volatile String masterReadOnly;
    /** Why this node stopped being master, until a master is known again (the status says so); else null. */
    private volatile String steppedDown;

    RoleState(final Peers peers) {
        this.peers = peers;
    }

    View view() {
        return view;
    }

    /**
     * The replica's new role: a master that no longer leads says why until a master is known again; a master that
     * leads (a static one once it took back its tail) stops saying what it said while starting, now rather than at
     * the next tick (an append right after the start would be refused read-only). Returns the view before.
     */
    View changed(final View now, final String why) {
        if (now.leads()) {
            masterReadOnly = null;
        }
        final View before = view;
        view = now;
        steppedDown = before.leads() && !now.leads()
            ? "stepped down as master in epoch " + before.epoch() + ": " + why
            : now.masterId() != Replica.NOBODY ? null : steppedDown;
        return before;
    }

    Leadership leadership() {
        return leadership;
    }

    void leadership(final Leadership value) {
        leadership = value;
    }

    boolean isStatic() {
        return leadership.isStatic();
    }

    /** This node is the static master of fixed roles (master while it takes back its tail or lacks a quorum too). */
    boolean staticMaster() {
        return leadership.isStaticMaster(peers.self());
    }

    /** Why the replica stopped for good, or null. */
    String storageError() {
        return storageError;
    }

    /** The replica stopped for good: its storage failed ({@code why}). */
    void halted(final String why) {
        storageError = why;
    }

    /** What the replica says a static master lacks to take appends (null: it takes them). */
    void masterReadOnly(final String reason) {
        masterReadOnly = reason;
    }

    /** The NOT_MASTER text: names the master and its address when known ("master at HOST:PORT"). */
    String notMaster() {
        if (leadership.isStatic()) {
            return "not the master: this node is a secondary and only serves reads; send appends to the master";
        }
        final View v = view;
        if (v.masterId() == Replica.NOBODY || v.masterId() == peers.self()) {
            return "not the master: no master is known right now (an election may be under way); retry shortly";
        }
        return "not the master; master at " + peers.hostPort(v.masterId()) + " (node " + v.masterId() + ", epoch "
            + v.epoch() + ")";
    }

    /**
     * Why a static master refuses appends, or null when it takes them: its log on disk failed (until restarted, the
     * README's words), it is taking back its tail or lacks a quorum (as the replica last said), or it has not led yet.
     */
    String staticMasterReadOnly(final View v, final String storage) {
        if (storage != null) {
            return "the master's log on disk failed (" + storage + "); restart the master";
        }
        final String readOnly = masterReadOnly;
        return readOnly != null || v.leads() ? readOnly : "the master is starting";
    }

    /** Why any other node whose storage failed refuses appends. */
    static String storageFailed(final String storage) {
        return "this node's storage failed (" + storage + "); it takes no part in its cluster until restarted";
    }

    /** Why appends are refused here: a failed disk, not being master (having stepped down, say so), or null. */
    String readOnly(final View v, final String storage) {
        if (staticMaster()) {
            return staticMasterReadOnly(v, storage);
        }
        if (storage != null) {
            return storageFailed(storage);
        }
        if (v.leads()) {
            return null;
        }
        final String down = steppedDown;
        return down != null && v.masterId() == Replica.NOBODY ? down + "; " + notMaster() : notMaster();
    }
}
