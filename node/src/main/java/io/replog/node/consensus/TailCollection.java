package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.PeerMessage.TailReply;
import io.replog.node.consensus.PeerMessage.TailRequest;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How a static master starts an epoch: before it takes appends it takes back from its secondaries the tail it may
 * have lost. Under a lazy flush policy a machine crash can take entries the master had written but not fsynced
 * while secondaries hold them durably, and those copies may have counted toward w (w=2 on three nodes is met by the
 * two secondaries alone). The master asks every secondary where its log ends ({@link TailRequest}), picks the most
 * up-to-date log by the engine's own rule (Raft's: higher last epoch, then higher last msg_id; the rule elections
 * use), and, if that log is ahead of its own, fetches from it what it lacks, cutting its own conflicting suffix by
 * epoch as a follower does. Then it leads: its epoch's first entry follows, and the secondaries are brought in line
 * by the usual replication (a conflicting suffix cut by epoch).
 *
 * <p>Whom it waits for, and how long:
 * <ul>
 *   <li><b>A majority (itself included), without a time limit.</b> An append answered with w at or above a majority
 *       is durable on a majority; every majority shares a node with it, so the most up-to-date log of any majority
 *       holds it (Raft's leader completeness argument, which is why an elected master needs a majority's votes).
 *       With fewer answers it cannot know it has everything it acknowledged, so it does not take appends: it stays
 *       master, read-only ("no quorum"), and keeps asking. A static master configured with a smaller quorum
 *       ({@link Leadership#quorum}, fixed roles' {@code --quorum}) waits for that many instead: the operator traded
 *       that guarantee for availability.</li>
 *   <li><b>The others for up to {@link Leadership#collectWaitMs}</b> (counted from the start of the epoch). An
 *       append answered with a smaller w (w=2 on five nodes) may be held by a minority only: it is taken back when
 *       the secondaries holding it answer within that wait (fixed roles' promise before this engine: every reachable
 *       secondary is asked), and may be lost when they do not, as under failover. Not at all in the first epoch of
 *       an empty log (a new log: its id was just made, nobody can hold an entry of it), where fixed roles took
 *       appends as soon as a quorum answered.</li>
 * </ul>
 * The reports are refreshed by every answer: a secondary that crashed meanwhile and lost its own unsynced tail says
 * so, and the choice is made again. Entries taken back become durable with the epoch's first entry (one sync).
 *
 * <p>Part of {@link Replica}: same thread, no state of its own beyond one epoch's collection.
 */
final class TailCollection {
    /** Where a secondary's log ended when it last answered. */
    private record End(long lastEpoch, long lastId) {
        boolean aheadOf(final long epoch, final long id) {
            return lastEpoch > epoch || (lastEpoch == epoch && lastId > id);
        }
    }

    private final int[] peers;
    /** Answers (itself included) it waits for without a time limit: a majority, or the configured quorum. */
    private final int majority;
    private final ReplicaStorage log;
    private final PeerTransport transport;
    private final ReplicaEvents events;
    private final long retryNanos;
    private final long collectWaitNanos;
    private final Int2ObjectHashMap<End> ends = new Int2ObjectHashMap<>();

    private long epoch;
    private long startedNanos;
    /** The first epoch of an empty log: nobody holds anything to take back, the others are not waited for. */
    private boolean newLog;
    private long nextRetryNanos;
    /** The secondary it fetches from, or {@link Replica#NOBODY}. */
    private int source = Replica.NOBODY;
    /** The msg_id it asked {@link #source} about (its log and the source's agree up to there once matched). */
    private long fetchAfter;
    private boolean fetchOutstanding;
    /** When {@link #source} last answered a fetch (or was picked): a source silent past the collect wait is dropped. */
    private long sourceHeardNanos;
    private long firstTaken;
    private long taken;
    /** What was taken back and made durable before the master could lead (a damaged log waiting for its cut part). */
    private long syncedTaken;
    private int takenFrom = Replica.NOBODY;

    TailCollection(final int[] peers, final int majority, final ReplicaStorage log, final PeerTransport transport,
                   final ReplicaEvents events, final ReplicaSettings settings, final Leadership leadership) {
        this.peers = peers;
        this.majority = majority;
        this.log = log;
        this.transport = transport;
        this.events = events;
        this.retryNanos = TimeUnit.MILLISECONDS.toNanos(settings.heartbeatMs());
        this.collectWaitNanos = TimeUnit.MILLISECONDS.toNanos(leadership.collectWaitMs());
    }

    /** Starts collecting for {@code newEpoch} (saved by the caller): asks every secondary where its log ends. */
    void begin(final long newEpoch, final long now) {
        epoch = newEpoch;
        ends.clear();
        source = Replica.NOBODY;
        fetchOutstanding = false;
        taken = 0;
        syncedTaken = 0;
        startedNanos = now;
        newLog = newEpoch == 1 && log.lastId() == 0;
        askWhoIsSilent(now);
    }

    /**
     * Time passed: asks again whoever has not answered, and the source when its answer was lost; true when done. A
     * source silent for the collect wait (at least two retries) is forgotten, as fixed roles' take-back gave up on
     * an unreachable secondary: it is asked again like any silent one, and the choice is made among the others.
     */
    boolean tick(final long now) {
        if (fetchOutstanding && now - sourceHeardNanos >= Math.max(collectWaitNanos, 2 * retryNanos)) {
            ends.remove(source);
            source = Replica.NOBODY;
            fetchOutstanding = false;
        }
        if (now - nextRetryNanos >= 0) {
            askWhoIsSilent(now);
            if (fetchOutstanding) {
                fetch(); // the question or its answer was lost
            }
        }
        return next(now);
    }

    /** A secondary answered; true when the collection is complete (the master may lead). */
    boolean answered(final int from, final TailReply reply, final long now) {
        if (reply.epoch() != epoch) {
            return false; // a reply to an earlier epoch's question (a higher epoch is the replica's business)
        }
        ends.put(from, new End(reply.lastEpoch(), reply.lastId()));
        if (from == source && fetchOutstanding && reply.prevId() == fetchAfter) {
            fetchOutstanding = false;
            sourceHeardNanos = now;
            if (reply.matched()) {
                takeBack(reply.prevId(), reply.entries());
            } else {
                // back to where the logs may still agree: the source's end, else before this log's epoch there
                fetchAfter = reply.lastId() < fetchAfter ? reply.lastId()
                    : log.firstIdOf(log.epochAt(fetchAfter)) - 1;
            }
        }
        return next(now);
    }

    /** Whether it has heard from a quorum (itself included; a majority unless configured) in this epoch. */
    boolean quorum() {
        return 1 + ends.size() >= majority;
    }

    /** Why it does not take appends yet, for the node status and the refused appends. */
    String reason() {
        final String missing = log.missingPart();
        if (quorum() && missing != null && source == Replica.NOBODY) {
            return missing;
        }
        if (!quorum()) {
            return "no quorum: the master is taking back the tail it may have lost and has heard from " + (1
                + ends.size()) + " of " + (peers.length + 1) + " nodes (needs " + majority + ")";
        }
        return "the master is taking back the tail it may have lost" + (source == Replica.NOBODY ? ""
            : " from node " + source) + " before it takes appends";
    }

    /** What it took back, for the master's role change. */
    String summary() {
        return (taken == 0 ? "took back nothing" : "took back msg_ids " + firstTaken + ".." + (firstTaken + taken - 1)
            + " from node " + takenFrom) + "; heard from " + (1 + ends.size()) + " of " + (peers.length + 1) + " nodes";
    }

    /** Picks the most up-to-date log heard of; false while it must wait or fetch, true when this log is as good. */
    private boolean next(final long now) {
        if (!quorum()) {
            return false;
        }
        final long lastId = log.lastId();
        final long lastEpoch = log.epochAt(lastId);
        int best = Replica.NOBODY;
        End bestEnd = new End(lastEpoch, lastId);
        for (final int peer : peers) {
            final End end = ends.get(peer);
            if (end != null && end.aheadOf(bestEnd.lastEpoch(), bestEnd.lastId())) {
                best = peer;
                bestEnd = end;
            }
        }
        if (best == Replica.NOBODY) {
            source = Replica.NOBODY;
            fetchOutstanding = false;
            // a part cut for damage must be back first, whatever the wait: asked again, a secondary may hold it.
            // Meanwhile what was taken back is made durable (it would otherwise wait for the epoch's first sync),
            // so that a master that gives up starting keeps it
            if (log.missingPart() != null) {
                if (taken > syncedTaken) {
                    syncedTaken = taken;
                    log.sync();
                }
                return false;
            }
            return newLog || ends.size() == peers.length || now - startedNanos >= collectWaitNanos;
        }
        if (best != source) {
            source = best;
            fetchAfter = lastId;
            fetchOutstanding = false;
            sourceHeardNanos = now;
        }
        if (!fetchOutstanding) {
            fetch();
        }
        return false;
    }

    private void askWhoIsSilent(final long now) {
        nextRetryNanos = now + retryNanos;
        final long lastId = log.lastId();
        final TailRequest request = new TailRequest(epoch, lastId, log.epochAt(lastId), false);
        for (final int peer : peers) {
            if (!ends.containsKey(peer)) {
                transport.send(peer, request);
            }
        }
    }

    private void fetch() {
        fetchOutstanding = true;
        transport.send(source, new TailRequest(epoch, fetchAfter, log.epochAt(fetchAfter), true));
    }

    /** Appends the source's entries after {@code prevId}, cutting this log where it conflicts (by epoch). */
    private void takeBack(final long prevId, final List<PeerEntry> entries) {
        long at = prevId;
        for (final PeerEntry entry : entries) {
            at++;
            if (at <= log.lastId()) {
                if (log.epochAt(at) == entry.epoch()) {
                    continue;
                }
                final long formerLast = log.lastId();
                log.truncateAfter(at - 1);
                events.truncated(at - 1, formerLast);
            }
            log.append(entry);
            if (taken++ == 0) {
                firstTaken = at;
            }
            takenFrom = source;
        }
        fetchAfter = at;
    }
}
