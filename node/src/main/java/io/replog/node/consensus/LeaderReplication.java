package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
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
 *
 * <p>A refused or lost delivery puts the peer in <em>probe</em> (etcd's StateProbe): one batch is resent from where
 * the peer said it holds the log, and nothing more goes to it until the peer accepts. The refusals of what was in
 * flight before (every batch behind a lost one finds the same gap) are not each answered with another resend: that
 * would multiply the traffic to a peer that fails deliveries, until its answers lagged the master's heartbeats by
 * seconds (a stall, or a master read-only for want of a quorum). A probe that is refused or lost in turn is sent
 * again after a backoff, without limit: one heartbeat, doubling up to the shortest election timeout; the resends are
 * told to the node ({@link ReplicaEvents#resending}), at most once a second per peer.
 */
final class LeaderReplication {
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

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
        /** Resending from probeFrom until the peer accepts; nothing else goes to it meanwhile (heartbeats aside). */
        boolean probing;
        long probeFrom;
        /** A refusal that names probeFrom came since the probe was sent (else the probe, or its answer, was lost). */
        boolean hinted;
        /** Probes resent without an answer that accepts: the backoff doubles with each. */
        int probeRetries;
        long nextProbeNanos;
        /** Resends not yet logged, and when it last logged them (at most once a second). */
        long resendsUnlogged;
        long loggedNanos;
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
            if (!p.probing && p.nextId <= r.log.lastId() && windowOpen(p)) {
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
        if (p.probing) {
            if (now - p.nextProbeNanos >= 0) {
                p.probeRetries++;
                probe(peer, p, p.probeFrom, now, p.hinted ? "it refused it" : "no answer: lost");
                return;
            }
            final long held = Math.min(p.acceptedId, r.log.lastId());
            r.transport.send(peer, new Replicate(r.epoch, held, r.log.epochAt(held), List.of(), r.commitId));
            return;
        }
        if (windowOpen(p)) {
            sendTo(peer);
            return;
        }
        if (now - p.progressNanos >= 2 * millis(r.settings.heartbeatMs())) {
            p.progressNanos = now;
            probe(peer, p, p.acceptedId + 1, now, "a full window went unanswered for two heartbeats");
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
        r.staticMaster.writableAgain(p.lastHeardNanos);
        if (reply.accepted()) {
            if (reply.acceptedId() > p.acceptedId) {
                p.acceptedId = reply.acceptedId();
                p.progressNanos = p.lastHeardNanos;
            }
            if (p.probing && reply.acceptedId() >= Math.min(p.probeFrom, r.log.lastId())) {
                p.probing = false; // it holds the log past where the probe resumed: pipelining again
                p.probeRetries = 0;
            }
            p.nextId = Math.max(p.nextId, reply.acceptedId() + 1);
            if (reply.durableId() > p.durableId) {
                p.durableId = reply.durableId();
                r.commit.advance();
            }
            if (!p.probing && p.nextId <= r.log.lastId() && windowOpen(p)) {
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
        next = Math.max(p.durableId + 1, Math.min(next, r.log.lastId() + 1));
        if (p.probing && next == p.probeFrom) {
            // the refusal of a batch sent before the probe (every batch behind a gap finds the same one), or of the
            // probe itself: which, the answer does not say; the probe's timer resends
            p.hinted = true;
            return;
        }
        if (p.probing) {
            probe(from, p, next, p.lastHeardNanos, "it holds the log as the master does only up to " + (next - 1));
            return;
        }
        p.probeRetries = 0;
        probe(from, p, next, p.lastHeardNanos, "it refused entries after " + (next - 1));
    }

    /** Resends to {@code peer} from {@code from}, alone, and arms the retry: one heartbeat, doubling per retry. */
    private void probe(final int peer, final Progress p, final long from, final long now, final String why) {
        p.probing = true;
        p.hinted = false;
        p.nextId = from;
        p.probeFrom = from;
        final long backoff = Math.min(millis(r.settings.heartbeatMs()) << Math.min(p.probeRetries, 20),
            millis(r.settings.electionMinMs()));
        p.nextProbeNanos = now + backoff;
        sendTo(peer);
        p.resendsUnlogged++;
        if (p.loggedNanos == 0 || now - p.loggedNanos >= LOG_EVERY_NANOS) {
            r.events.resending(peer, from, why, p.resendsUnlogged, p.probeRetries,
                TimeUnit.NANOSECONDS.toMillis(backoff));
            p.loggedNanos = now;
            p.resendsUnlogged = 0;
        }
    }

    private void sendTo(final int peer) {
        final Progress p = progress.get(peer);
        final long lastId = r.log.lastId();
        final long from = Math.max(1, Math.min(p.nextId, lastId + 1));
        final long most = Math.min(lastId, from + r.settings.maxBatch() - 1);
        // a byte budget too: a batch must fit in the receiver's frame (at least one entry, which always fits)
        final List<PeerEntry> entries = most < from ? List.of()
            : r.log.entries(from, (int) (most - from + 1), r.settings.maxBatchBytes(), Replica.ENTRY_OVERHEAD);
        final long to = from - 1 + entries.size();
        r.transport.send(peer, new Replicate(r.epoch, from - 1, r.log.epochAt(from - 1), entries, r.commitId));
        p.nextId = to + 1;
    }

    private static long millis(final long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
