package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import java.util.List;

/**
 * What the nodes of a cluster say to each other. Every message carries its sender's epoch: a node that receives
 * a higher one adopts it at once (and a master steps down), a lower one is answered with the receiver's own so the
 * sender learns it is stale (fencing).
 */
public sealed interface PeerMessage {

    long epoch();

    /**
     * A candidate asks for a vote; its log's last entry lets the voter refuse a candidate that is behind. A
     * {@code preVote} asks only whether the voter <em>would</em> vote in {@code epoch} (Raft thesis §9.6): nobody
     * changes epoch or vote for it, and a voter that hears from a live master says no, so a node that was cut off
     * (or restarted) cannot depose a working master by asking for votes in ever higher epochs.
     */
    record VoteRequest(long epoch, long lastEpoch, long lastId, boolean preVote) implements PeerMessage {
    }

    /** The answer to a {@link VoteRequest} of {@code epoch} (or, refused, the voter's own higher one). */
    record VoteReply(long epoch, boolean granted, boolean preVote) implements PeerMessage {
    }

    /**
     * The master's entries from {@code prevId + 1} on, to be appended after an entry {@code prevId} of
     * {@code prevEpoch}; also the heartbeat (no entries). {@code commitId}: what a majority holds.
     */
    record Replicate(long epoch, long prevId, long prevEpoch, List<PeerEntry> entries, long commitId)
        implements PeerMessage {
    }

    /**
     * The answer to a {@link Replicate}. Accepted: the receiver's log matches the master's up to
     * {@code acceptedId}, durably up to {@code durableId} (what counts toward w). Refused (its log does not hold
     * {@code prevId} in {@code prevEpoch}): where the master should try again, by epoch (Kafka's KIP-101 leader-epoch
     * exchange, Raft's fast back-off): {@code conflictEpoch} is the receiver's epoch at prevId (0 if its log is
     * shorter) and {@code conflictId} the first msg_id it holds of that epoch (or its last msg_id + 1).
     */
    record ReplicateReply(long epoch, boolean accepted, long acceptedId, long durableId, long conflictEpoch,
                          long conflictId) implements PeerMessage {
    }

    /**
     * A starting static master asks a secondary where its log ends and whether it holds the master's entry
     * {@code prevId} written in {@code prevEpoch}; with {@code withEntries}, also for the entries it holds after it
     * (the master takes back the tail it lost). Carries the master's new epoch: the secondary adopts it, durably,
     * before it answers, which fences every earlier master.
     */
    record TailRequest(long epoch, long prevId, long prevEpoch, boolean withEntries) implements PeerMessage {
    }

    /**
     * The answer to a {@link TailRequest} about {@code prevId}: the secondary's log ends at {@code lastId}, written
     * in {@code lastEpoch}; {@code matched} when it holds the master's entry at prevId (then {@code entries}, when
     * asked for, are its entries from prevId + 1 on, a bounded batch). Refused (a stale master): its higher epoch.
     */
    record TailReply(long epoch, long lastEpoch, long lastId, long prevId, boolean matched, List<PeerEntry> entries)
        implements PeerMessage {
    }
}
