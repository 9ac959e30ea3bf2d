package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.Replica.Role;
import io.replog.protocol.ErrorCode;

import java.util.concurrent.TimeUnit;

/**
 * Becoming master and ceasing to be: a replica that won its election (or, static master, took back its tail) leads
 * with its epoch's first entry; a master that heard from no majority for the longest election timeout steps down
 * (a static master turns read-only instead, {@link StaticMaster}); a node that sees a later epoch follows it. Part of
 * {@link Replica}: same thread, and it sets the replica's role, epoch, vote and known master.
 */
final class Mastership {
    private final Replica r;
    /** When this replica last became master: it is given the longest election timeout to hear from a quorum. */
    private long leaderSince;

    Mastership(final Replica replica) {
        this.r = replica;
    }

    /** Wins the election, or (static master) has taken back its tail: its epoch's first entry goes to every peer. */
    void becomeLeader(final String why) {
        r.role = Role.LEADER;
        r.masterId = r.id();
        r.staticMaster.leads();
        final long now = r.clock.nanoTime();
        leaderSince = now;
        r.log.append(PeerEntry.epochStart(r.epoch));
        r.log.sync();
        r.leader.start(now);
        r.appends.rebuildTags();
        r.events.roleChanged(r.role, r.epoch, r.id(), why);
        r.leader.sendFirst(now);
        r.commit.advance();
    }

    /** Time passed, as master: timeouts, the check that a quorum still answers, heartbeats. */
    void tick(final long now) {
        r.commit.tick(now);
        if (now - leaderSince >= TimeUnit.MILLISECONDS.toNanos(r.settings.electionMaxMs()) && !heardFromQuorum(now)) {
            if (!r.leadership.isStatic()) {
                stepDown(r.epoch, Replica.NOBODY, "heard from no majority for " + r.settings.electionMaxMs() + " ms",
                    true);
                return;
            }
            r.staticMaster.readOnly(now);
        }
        r.leader.tick(now);
    }

    /**
     * Follows {@code newEpoch} (higher, or the same when a master of it showed up); a master fails its waiters.
     * {@code save}: false only when the caller saves the new epoch itself before it sends anything.
     */
    void stepDown(final long newEpoch, final int master, final String why, final boolean save) {
        final Role before = r.role;
        if (newEpoch > r.epoch) {
            r.epoch = newEpoch;
            r.votedFor = Replica.NOBODY;
            if (save) {
                r.log.saveVote(r.epoch, Replica.NOBODY);
            } else {
                r.election.epochUnsaved();
            }
        }
        r.role = Role.FOLLOWER;
        r.masterId = master == Replica.NOBODY && r.leadership.isStatic() ? r.leadership.staticMaster() : master;
        r.follower.newMaster();
        r.election.heardFromMaster();
        if (before == Role.LEADER) {
            dropLeaderState(ErrorCode.NOT_MASTER, "not the master any more: " + why, master);
        }
        if (before != Role.FOLLOWER || master != Replica.NOBODY) {
            r.events.roleChanged(r.role, r.epoch, master, why);
        }
    }

    /** A master no longer leads (or stops): its peers' progress and tags go, and every waiting append is answered. */
    void dropLeaderState(final short code, final String why, final int master) {
        r.leader.clear();
        r.appends.forgetTags();
        r.commit.failAll(code, why, master);
    }

    /** Whether it heard from a quorum: a majority when elected (else it steps down), a static master's quorum. */
    boolean heardFromQuorum(final long now) {
        return r.leader.heardFrom(now) >= r.quorum;
    }
}
