package io.replog.node.consensus;

import io.replog.node.consensus.PeerMessage.TailReply;
import io.replog.node.consensus.Replica.Role;
import io.replog.protocol.ErrorCode;

/**
 * The static master's own steps (fixed roles, {@link Leadership#staticLeader}): it enters a new epoch when it starts
 * (or when a node shows it a later one), saved before anyone hears of it, takes back the tail it may have lost
 * ({@link TailCollection}) before it leads, and, leading, judges read-only: without a quorum it stays master and
 * refuses appends until one answers again (an elected master steps down instead). Part of {@link Replica}: same
 * thread, and it sets the replica's role, epoch, vote and known master. On every other node it does nothing.
 */
final class StaticMaster {
    private final Replica r;
    /** Collecting the tail before it leads. */
    private final TailCollection collection;
    /** It has not entered its new epoch yet (it does on its first tick). */
    private boolean startPending;
    /** Leading: why it refuses appends (it heard from no quorum), or null. */
    private String readOnlyReason;

    StaticMaster(final Replica replica) {
        this.r = replica;
        this.collection = new TailCollection(replica.peers, replica.quorum, replica.log, replica.transport,
            replica.events, replica.settings, replica.leadership);
    }

    /** The replica is the static master: it starts as candidate of its own epoch, entered on its first tick. */
    void startPending() {
        startPending = true;
    }

    /** Not leading yet: why it takes no appends (starting, or still taking back its lost tail). */
    String startingReason() {
        return startPending ? "the master is starting" : collection.reason();
    }

    /** Leading: why it refuses appends (no quorum), or null. */
    String refusal() {
        return readOnlyReason;
    }

    /** Time passed, not leading: enters its epoch, or leads once the tail is taken back. */
    void tick(final long now) {
        if (startPending) {
            startEpoch(r.epoch + 1, "it started");
        } else if (collection.tick(now)) {
            r.mastership.becomeLeader(collection.summary());
        }
    }

    /**
     * Enters {@code newEpoch}, saved before anyone hears of it (like a vote: an epoch is never entered twice), and
     * takes back the tail it may have lost before it leads again.
     */
    void startEpoch(final long newEpoch, final String why) {
        final Role before = r.role;
        startPending = false;
        r.epoch = newEpoch;
        r.votedFor = r.id();
        r.log.saveVote(r.epoch, r.id());
        r.role = Role.CANDIDATE;
        r.masterId = r.id();
        readOnlyReason = null;
        if (before == Role.LEADER) {
            r.mastership.dropLeaderState(ErrorCode.READ_ONLY, "the master entered epoch " + r.epoch + " (" + why + "); the "
                + "message is in its log and may still reach its w", r.id());
        }
        r.events.roleChanged(r.role, r.epoch, r.id(), "static master entering epoch " + r.epoch + " (" + why
            + "): taking back the tail it may have lost before it takes appends");
        if (r.broken == BrokenRule.SKIPS_TAKE_BACK) {
            r.mastership.becomeLeader("leads at once without taking back its lost tail (rule broken on purpose)");
            return;
        }
        collection.begin(r.epoch, r.clock.nanoTime());
    }

    /** A secondary said where its log ends, or sent the tail asked for: leads once the collection is complete. */
    void tailAnswered(final int from, final TailReply reply) {
        if (r.leadership.isStaticMaster(r.id()) && r.role == Role.CANDIDATE && !startPending
            && collection.answered(from, reply, r.clock.nanoTime())) {
            r.mastership.becomeLeader(collection.summary());
        }
    }

    /** It leads: it takes appends. */
    void leads() {
        readOnlyReason = null;
    }

    /** It heard from no quorum: it stays master and refuses appends until a quorum answers. */
    void readOnly(final long now) {
        if (readOnlyReason == null) {
            // the README's words: up = heard from within the longest silence (Healthy or Suspected)
            readOnlyReason = "no quorum (" + r.leader.heardFrom(now) + " of " + r.clusterSize() + " nodes up, "
                + r.quorum + " needed)";
            r.events.readOnly(readOnlyReason);
        }
    }

    /** A peer answered: once a quorum does again, the static master takes appends again. */
    void writableAgain(final long now) {
        if (readOnlyReason != null && r.mastership.heardFromQuorum(now)) {
            readOnlyReason = null;
            r.events.readOnly(null);
        }
    }
}
