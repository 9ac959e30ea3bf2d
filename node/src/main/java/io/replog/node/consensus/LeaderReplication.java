package io.replog.node.consensus;

import io.replog.node.consensus.PeerMessage.Replicate;
import io.replog.node.consensus.PeerMessage.ReplicateReply;
import io.replog.node.consensus.Replica.Role;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A master's side of replication: one small progress object per peer (what it holds, what is in flight, when it
 * last answered), sending in order and in batches within a bounded in-flight window, heartbeats, and moving back
 * where a peer refused (by epoch, KIP-101). Part of {@link Replica}: same thread; the write concern and commit point
 * read the peers' durable positions from here.
 */
final class LeaderReplication {
    /** What the master knows of one peer. */
    private static final class Progress {
        /** Next msg_id to send (optimistic: advanced when sent, moved back when refused). */
        long nextId;
        /**
         * Highest msg_id the peer holds durably as the master does: counts toward w, and survives any crash of the
         * peer (what it accepted but had not fsynced may not, so only this bounds how far back nextId may go).
         */
        long durableId;
        /** Highest msg_id the peer said it holds as the master does (a hint: a crash of the peer may lower it). */
        long acceptedId;
        /** When acceptedId last grew: a window that stays full without progress is resent from acceptedId. */
        long progressNanos;
        long lastHeardNanos;
    }


    private final Replica r;
    private final Int2ObjectHashMap<Progress> progress = new Int2ObjectHashMap<>();
    /** Entries a master may have sent a peer beyond what the peer said it holds. */
    private final long inFlightLimit;
    private long nextHeartbeat;
    private boolean peersBehind;

    LeaderReplication(final Replica replica) {
        this.r = replica;
        this.inFlightLimit = 4L * replica.settings.maxBatch();
    }

    /** Becomes master at {@code now}: every peer is assumed to hold the log up to its new first entry's predecessor. */
    void start(final long now) {
        final long lastId = r.log.lastId();
        progress.clear();
        for (final int peer : r.peers) {
            final Progress p = new Progress();
            p.nextId = lastId;
            p.lastHeardNanos = now;
            p.progressNanos = now;
            progress.put(peer, p);
        }
    }

    /** Offers the new epoch's first entry to every peer; heartbeats follow. */
    void sendFirst(final long now) {
        nextHeartbeat = now + millis(r.settings.heartbeatMs());
        for (final int peer : r.peers) {
            sendTo(peer);
        }
    }

    /** No longer master. */
    void clear() {
        progress.clear();
    }

    /** The master appended: the peers get it at the next {@link #sendBehind}. */
    void appended() {
        peersBehind = true;
    }

    /** Sends what was appended since the last call to every peer whose window allows; false when there was none. */
    boolean sendBehind() {
        if (!peersBehind) {
            return false;
        }
        peersBehind = false;
        for (final int peer : r.peers) {
            final Progress p = progress.get(peer);
            if (p.nextId <= r.log.lastId() && windowOpen(p)) {
                sendTo(peer);
            }
        }
        return true;
    }

    /** Heartbeats, when due. */
    void tick(final long now) {
        if (now - nextHeartbeat >= 0) {
            nextHeartbeat = now + millis(r.settings.heartbeatMs());
            for (final int peer : r.peers) {
                heartbeat(peer, now);
            }
        }
    }

    /** What {@code peer} holds durably as far as w counts ({@code ackOnSend}: what was sent, a rule broken). */
    long heldBy(final int peer, final boolean ackOnSend) {
        final Progress p = progress.get(peer);
        return Math.min(ackOnSend ? Math.max(p.durableId, p.nextId - 1) : p.durableId, r.log.lastId());
    }

    /** What the master knows of {@code peer}, or null for an unknown one (or when not master). */
    Replica.PeerProgress progressOf(final int peer, final long now) {
        final Progress p = progress.get(peer);
        if (p == null) {
            return null;
        }
        final long lastId = r.log.lastId();
        return new Replica.PeerProgress(Math.min(p.durableId, lastId), Math.min(p.acceptedId, lastId),
            now - p.lastHeardNanos);
    }

    /** Nodes it heard from within the longest election timeout, itself included. */
    int heardFrom(final long now) {
        int heard = 1;
        final long since = now - millis(r.settings.electionMaxMs());
        final long window = millis(r.settings.electionMaxMs());
        for (final int peer : r.peers) {
            // a static master's secondary that refuses every delivery (its log is full, a frame too large for it)
            // answers heartbeats but holds none of its writes: Failing, not counted, as fixed roles always did
            if (progress.get(peer).lastHeardNanos - since >= 0
                && !(r.leadership.isStatic() && r.transport.refusing(peer, window))) {
                heard++;
            }
        }
        return heard;
    }

    /**
     * Whether more entries may go to the peer: at most {@link #inFlightLimit} beyond what it said it holds, so a slow
     * peer's connection never fills up with entries (it would hold back the heartbeats behind them).
     */
    private boolean windowOpen(final Progress p) {
        return p.nextId - 1 - p.acceptedId < inFlightLimit;
    }

    /**
     * The master's heartbeat to a peer: the next entries when the window allows, else an empty message after what
     * the peer holds (it keeps the peer from electing, and its answer says where the peer is). A window that stayed
     * full without progress for two heartbeats lost its messages: it is sent again from what the peer holds.
     */
    private void heartbeat(final int peer, final long now) {
        final Progress p = progress.get(peer);
        if (windowOpen(p)) {
            sendTo(peer);
            return;
        }
        if (now - p.progressNanos >= 2 * millis(r.settings.heartbeatMs())) {
            p.nextId = p.acceptedId + 1;
            p.progressNanos = now;
            sendTo(peer);
            return;
        }
        final long held = Math.min(p.acceptedId, r.log.lastId());
        r.transport.send(peer, new Replicate(r.epoch, held, r.log.epochAt(held), List.of(), r.commitId));
    }

    void replied(final int from, final ReplicateReply reply) {
        if (r.role != Role.LEADER || reply.epoch() != r.epoch) {
            return;
        }
        final Progress p = progress.get(from);
        if (p == null) {
            return;
        }
        if (reply.accepted() && (reply.acceptedId() > r.log.lastId() || reply.durableId() > reply.acceptedId())) {
            // a peer cannot hold what this master never had (a bug, or not a replog node): its word counts for
            // nothing, not toward w nor the commit point, and it is not heard either (it turns Suspected, then
            // Unhealthy, in the status)
            return;
        }
        p.lastHeardNanos = r.clock.nanoTime();
        r.writableAgain(p.lastHeardNanos);
        if (reply.accepted()) {
            if (reply.acceptedId() > p.acceptedId) {
                p.acceptedId = reply.acceptedId();
                p.progressNanos = p.lastHeardNanos;
            }
            p.nextId = Math.max(p.nextId, reply.acceptedId() + 1);
            if (reply.durableId() > p.durableId) {
                p.durableId = reply.durableId();
                r.advance();
            }
            if (p.nextId <= r.log.lastId() && windowOpen(p)) {
                sendTo(from);
            }
            return;
        }
        p.acceptedId = Math.min(reply.acceptedId(), r.log.lastId()); // the peer's own view (lower after a crash)
        p.progressNanos = p.lastHeardNanos;
        long next = reply.conflictId();
        if (reply.conflictEpoch() != 0) {
            final long end = r.log.lastIdOf(reply.conflictEpoch());
            if (end >= 0) {
                next = end + 1;
            }
        }
        p.nextId = Math.max(p.durableId + 1, Math.min(next, r.log.lastId() + 1));
        sendTo(from);
    }

    private void sendTo(final int peer) {
        final Progress p = progress.get(peer);
        final long lastId = r.log.lastId();
        final long from = Math.max(1, Math.min(p.nextId, lastId + 1));
        final long most = Math.min(lastId, from + r.settings.maxBatch() - 1);
        // a byte budget too: a batch must fit in the receiver's frame (at least one entry, which always fits)
        final List<Entry> entries = most < from ? List.of()
            : r.log.entries(from, (int) (most - from + 1), r.settings.maxBatchBytes(), Replica.ENTRY_OVERHEAD);
        final long to = from - 1 + entries.size();
        r.transport.send(peer, new Replicate(r.epoch, from - 1, r.log.epochAt(from - 1), entries, r.commitId));
        p.nextId = to + 1;
    }

    private static long millis(final long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
