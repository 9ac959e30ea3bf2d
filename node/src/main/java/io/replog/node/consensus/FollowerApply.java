package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.PeerMessage.Replicate;
import io.replog.node.consensus.PeerMessage.ReplicateReply;
import io.replog.node.consensus.PeerMessage.TailReply;
import io.replog.node.consensus.PeerMessage.TailRequest;
import io.replog.node.consensus.Replica.Role;

import java.util.List;

/**
 * A replica's follower side: it applies the master's entries idempotently by position, cuts a conflicting suffix by
 * epoch, syncs, and answers cumulatively ("I hold your log up to N, durably up to D"); it tells a starting static
 * master where its log ends and sends it the tail it asks for. Part of {@link Replica}: same thread, and it reads
 * and sets the replica's role, known master and commit point.
 */
final class FollowerApply {
    private final Replica r;
    /** The master's log and this one agree up to here (in this epoch). */
    private long acceptedId;
    private long lastDurableReported;
    /** When it last heard from the master it follows: it refuses pre-votes for a while after. */
    private long lastMasterContact = Long.MIN_VALUE;

    FollowerApply(final Replica replica) {
        this.r = replica;
    }

    /** When it last heard from its master ({@link Long#MIN_VALUE}: not yet). */
    long lastMasterContact() {
        return lastMasterContact;
    }

    /** A new master, or a new epoch: nothing is known to agree with it yet. */
    void newMaster() {
        acceptedId = 0;
        lastDurableReported = 0;
    }

    /** The store made everything up to {@code durableId} durable: tells the master, once per new position. */
    void durable(final long durableId) {
        // the store may have cut its log since it reported durableId (a truncation lowers what is durable, and the
        // entries written after it are not yet): never report more than it holds durably now
        final long counted = Math.min(acceptedId, Math.min(durableId, r.log.durableId()));
        if (counted > lastDurableReported) {
            lastDurableReported = counted;
            r.transport.send(r.masterId, new ReplicateReply(r.epoch, true, acceptedId, counted, 0, 0));
        }
    }

    /** The master's entries (or heartbeat): appended after prevId if this log holds it in prevEpoch. */
    void replicate(final int from, final Replicate request) {
        if (request.epoch() < r.epoch) {
            r.transport.send(from, new ReplicateReply(r.epoch, false, 0, 0, 0, 0));
            return;
        }
        if (r.role == Role.LEADER || r.leadership.isStaticMaster(r.id())) {
            return; // two masters in one epoch cannot be (the simulation's first invariant); nor a second static one
        }
        if (r.role != Role.FOLLOWER || r.masterId != from) {
            // a candidate of this epoch lost; or the first word from this epoch's master
            final Role before = r.role;
            r.role = Role.FOLLOWER;
            r.masterId = from;
            acceptedId = 0;
            lastDurableReported = 0;
            r.events.roleChanged(r.role, r.epoch, from, before == Role.CANDIDATE ? "node " + from
                + " won the election" : "node " + from + " is master");
        }
        r.election.heardFromMaster();
        lastMasterContact = r.clock.nanoTime();
        final long lastId = r.log.lastId();
        final long prevId = request.prevId();
        if (prevId > lastId) {
            r.transport.send(from, new ReplicateReply(r.epoch, false, acceptedId, 0, 0, lastId + 1));
            return;
        }
        final long prevEpoch = r.log.epochAt(prevId);
        if (prevEpoch != request.prevEpoch()) {
            r.transport.send(from, new ReplicateReply(r.epoch, false, acceptedId, 0, prevEpoch,
                r.log.firstIdOf(prevEpoch)));
            return;
        }
        final List<PeerEntry> entries = request.entries();
        // skip what this log already holds (a resent or duplicated message); cut at the first conflict; then append
        // the rest in one run (the store copies it into the log at once)
        int held = 0;
        for (; held < entries.size(); held++) {
            final long at = prevId + held + 1;
            if (at > r.log.lastId()) {
                break;
            }
            if (r.log.epochAt(at) != entries.get(held).epoch()) {
                final long formerLast = r.log.lastId();
                r.log.truncateAfter(at - 1);
                r.events.truncated(at - 1, formerLast);
                break;
            }
        }
        final boolean wrote = held < entries.size();
        if (wrote) {
            r.log.appendAll(held == 0 ? entries : entries.subList(held, entries.size()));
        }
        if (wrote) {
            r.log.sync();
        }
        // counted once stored: a store that refuses the entries (a full log) throws above, and this node then holds
        // and claims nothing of them
        acceptedId = Math.max(acceptedId, prevId + entries.size());
        final long committed = Math.min(request.commitId(), acceptedId);
        if (committed > r.commitId) {
            r.commitId = committed; // after the sync: what is committed is in the store, readable
            r.events.committed(r.commitId);
        }
        final long counted = Math.min(acceptedId, r.log.durableId());
        lastDurableReported = Math.max(lastDurableReported, counted);
        r.transport.send(from, new ReplicateReply(r.epoch, true, acceptedId, counted, 0, 0));
    }

    /** A secondary tells the static master where its log ends, and sends the entries after prevId when asked. */
    void answerTail(final int from, final TailRequest request) {
        final long lastId = r.log.lastId();
        final long lastEpoch = r.log.epochAt(lastId);
        if (request.epoch() < r.epoch || r.role == Role.LEADER) {
            r.transport.send(from, new TailReply(r.epoch, lastEpoch, lastId, request.prevId(), false, List.of()));
            return; // a stale master: fenced, it learns the later epoch from the answer
        }
        r.election.resetTimer();
        lastMasterContact = r.clock.nanoTime();
        final long prevId = request.prevId();
        final boolean matched = prevId <= lastId && r.log.epochAt(prevId) == request.prevEpoch();
        final List<PeerEntry> entries = matched && request.withEntries() && prevId < lastId
            ? r.log.entries(prevId + 1, (int) Math.min(r.settings.maxBatch(), lastId - prevId),
                r.settings.maxBatchBytes(), Replica.ENTRY_OVERHEAD)
            : List.of();
        r.transport.send(from, new TailReply(r.epoch, lastEpoch, lastId, prevId, matched, entries));
    }
}
