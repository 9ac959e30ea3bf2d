package io.replog.node.consensus;

import io.replog.node.consensus.PeerMessage.VoteReply;
import io.replog.node.consensus.PeerMessage.VoteRequest;
import io.replog.node.consensus.Replica.Role;
import org.agrona.collections.IntHashSet;

import java.util.concurrent.TimeUnit;

/**
 * A replica's elections (failover only: under a static leader nobody campaigns): the election timeout, the pre-vote
 * that changes nothing (Raft thesis §9.6), the vote that changes the epoch and is saved before it is answered, the
 * up-to-date rule, and counting (a majority, each voter once). Part of {@link Replica}: same thread, and it reads
 * and sets the replica's role, epoch, vote and known master.
 */
final class Election {
    private final Replica r;
    /** Asking whether the others would vote for it (pre-vote), before it starts an election. */
    private boolean preVoting;
    private final IntHashSet preVotes = new IntHashSet();
    /** As candidate: who granted its vote in this epoch (a duplicated grant counts once). */
    private final IntHashSet votes = new IntHashSet();
    private long deadline;
    /** The epoch was adopted from a vote request and is saved with the answer to it. */
    private boolean voteUnsaved;

    Election(final Replica replica) {
        this.r = replica;
    }

    /** Whether the election timeout passed without word from a master. */
    boolean due(final long now) {
        return now - deadline >= 0;
    }

    /** A master was heard from (or a vote given): the timeout starts again, and so does any pre-vote. */
    void heardFromMaster() {
        resetTimer();
        preVoting = false;
    }

    /** The replica took a higher epoch from a vote request: it is saved with the answer, one fsync, not two. */
    void epochUnsaved() {
        voteUnsaved = true;
    }

    void resetTimer() {
        final long min = r.settings.electionMinMs();
        final long spread = r.settings.electionMaxMs() - min;
        deadline = r.clock.nanoTime() + millis(min) + (long) (r.random.nextDouble() * millis(spread));
    }

    void startPreVote() {
        if (r.role == Role.CANDIDATE) {
            r.role = Role.FOLLOWER; // its election failed: it asks again before it tries a new epoch
            r.events.roleChanged(r.role, r.epoch, Replica.NOBODY, "its election in epoch " + r.epoch
                + " found no majority");
        }
        preVoting = true;
        preVotes.clear();
        preVotes.add(r.id());
        r.masterId = Replica.NOBODY;
        resetTimer();
        if (preVotes.size() >= r.majority) {
            startElection();
            return;
        }
        final long lastId = r.log.lastId();
        final VoteRequest request = new VoteRequest(r.epoch + 1, r.log.epochAt(lastId), lastId, true);
        for (final int peer : r.peers) {
            r.transport.send(peer, request);
        }
    }

    private boolean hearsFromMaster(final long now) {
        final long contact = r.follower.lastMasterContact();
        return r.role == Role.LEADER || (r.masterId != Replica.NOBODY && contact != Long.MIN_VALUE
            && now - contact < millis(r.settings.electionMinMs()));
    }

    private void startElection() {
        preVoting = false;
        r.epoch++;
        r.votedFor = r.id();
        r.log.saveVote(r.epoch, r.id());
        r.role = Role.CANDIDATE;
        r.masterId = Replica.NOBODY;
        votes.clear();
        votes.add(r.id());
        resetTimer();
        r.events.roleChanged(r.role, r.epoch, Replica.NOBODY, "heard from no master");
        if (votes.size() >= r.majority) {
            r.mastership.becomeLeader("won the election with " + votes.size() + " of " + r.clusterSize() + " votes");
            return;
        }
        final long lastId = r.log.lastId();
        final VoteRequest request = new VoteRequest(r.epoch, r.log.epochAt(lastId), lastId, false);
        for (final int peer : r.peers) {
            r.transport.send(peer, request);
        }
    }

    void vote(final int from, final VoteRequest request) {
        final long lastId = r.log.lastId();
        final long lastEpoch = r.log.epochAt(lastId);
        final boolean upToDate = request.lastEpoch() > lastEpoch
            || (request.lastEpoch() == lastEpoch && request.lastId() >= lastId)
            || r.broken == BrokenRule.VOTES_FOR_STALE_LOG;
        if (request.preVote()) {
            final boolean would = request.epoch() > r.epoch && upToDate && !hearsFromMaster(r.clock.nanoTime());
            r.transport.send(from, new VoteReply(would ? request.epoch() : r.epoch, would, true));
            return;
        }
        if (request.epoch() < r.epoch) {
            r.transport.send(from, new VoteReply(r.epoch, false, false));
            return;
        }
        final boolean free = r.votedFor == Replica.NOBODY || r.votedFor == from
            || (r.broken == BrokenRule.VOTES_TWICE && r.role == Role.FOLLOWER);
        final boolean granted = free && upToDate;
        if (granted) {
            r.votedFor = from;
            resetTimer();
        }
        if (granted || voteUnsaved) {
            voteUnsaved = false;
            r.log.saveVote(r.epoch, r.votedFor);
        }
        r.events.voted(r.epoch, from, granted, granted ? "its log is at least as up to date"
            : !upToDate ? "its log (last epoch " + request.lastEpoch() + ", msg_id " + request.lastId()
                + ") is behind this one's (epoch " + lastEpoch + ", msg_id " + lastId + ")"
            : "already voted for node " + r.votedFor + " in this epoch");
        r.transport.send(from, new VoteReply(r.epoch, granted, false));
    }

    void counted(final int from, final VoteReply reply) {
        if (reply.preVote()) {
            if (preVoting && r.role == Role.FOLLOWER && reply.granted() && reply.epoch() == r.epoch + 1
                && preVotes.add(from) && preVotes.size() >= r.majority) {
                startElection();
            }
            return;
        }
        if (r.role != Role.CANDIDATE || reply.epoch() != r.epoch || !reply.granted()) {
            return;
        }
        if (votes.add(from) && votes.size() >= r.majority) {
            r.mastership.becomeLeader("won the election with " + votes.size() + " of " + r.clusterSize() + " votes");
        }
    }

    private static long millis(final long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
