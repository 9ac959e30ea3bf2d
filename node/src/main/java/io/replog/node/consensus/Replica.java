package io.replog.node.consensus;

import io.replog.node.consensus.PeerMessage.ReplicateReply;
import io.replog.node.consensus.PeerMessage.Replicate;
import io.replog.node.consensus.PeerMessage.TailReply;
import io.replog.node.consensus.PeerMessage.TailRequest;
import io.replog.node.consensus.PeerMessage.VoteReply;
import io.replog.node.consensus.PeerMessage.VoteRequest;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.PeerEntry;
import org.agrona.concurrent.NanoClock;

import java.util.Arrays;
import java.util.Random;

/**
 * One node of a cluster: who is master, in which epoch, and what is committed, decided with Raft's rules
 * (Ongaro &amp; Ousterhout §5.2–5.4) over replog's log, where Raft's term is replog's epoch. Who may lead is its
 * {@link Leadership}: elected by a majority (failover), or one static master that never changes (fixed roles: no
 * elections; a restarted master enters a new epoch and takes back the tail it lost, {@link TailCollection}; without a
 * majority it stays master, read-only).
 *
 * <p>An event-driven state machine and nothing else: it reads time only through the injected clock, randomness only
 * through the injected {@link Random}, talks only through {@link PeerTransport} and stores only through
 * {@link ReplicaStorage}. The node drives it from one thread over real sockets and disks; the simulation drives the
 * very same code under a simulated clock, network and disk, thousands of seeds per build. Not thread-safe: one
 * thread calls every method.
 *
 * <p>The write concern on top of Raft: an append is answered once w nodes hold it durably; for w at or above a
 * majority also only once it is committed (so after an entry of the master's own epoch reached a majority), which
 * is what makes those answers survive any failover. Smaller w promise less and say so: they may be rolled back.
 *
 * <p>This class is the façade the node and the simulation call; the work is done by its parts, one per seam:
 * {@link Election}, {@link Mastership} (becoming master, stepping down), {@link StaticMaster}, {@link FollowerApply},
 * {@link LeaderReplication} (per-peer progress and sending), {@link ClientAppends}, {@link CommitTracker} (write
 * concern and commit).
 */
public final class Replica {
    public static final int NOBODY = 0;
    /** Bytes an entry takes on the wire beside its payload (epoch, flags, tag, length). */
    static final int ENTRY_OVERHEAD = PeerEntry.MAX_OVERHEAD;

    public enum Role { FOLLOWER, CANDIDATE, LEADER }

    private final int id;
    final int[] peers;
    private final int clusterSize;
    final int majority;
    /**
     * Nodes (itself included) a master must hear from: a majority, or a static master's configured quorum. Write
     * concerns and the commit point count a majority whatever it is.
     */
    final int quorum;
    final ReplicaStorage log;
    final PeerTransport transport;
    final NanoClock clock;
    final Random random;
    final ReplicaSettings settings;
    final ReplicaEvents events;
    final BrokenRule broken;
    final Leadership leadership;
    final Election election;
    final FollowerApply follower;
    final StaticMaster staticMaster;
    final Mastership mastership;

    // shared with its parts (the classes of this package it is made of): one thread reads and writes them
    Role role = Role.FOLLOWER;
    long epoch;
    int votedFor;
    int masterId = NOBODY;
    /** Why the storage failure stopped this replica, or null. */
    private String halted;
    /**
     * Why the node stopped this replica (it closes, or takes another role over the same log), or null while it runs;
     * appends that still reach it are refused with {@link #stoppedCode}.
     */
    private String stopped;
    private short stoppedCode;
    /** Highest msg_id known committed (a majority holds it; on a follower, as the master said). */
    long commitId;

    // master only
    final LeaderReplication leader;
    final CommitTracker commit;
    final ClientAppends appends;

    public Replica(final int id, final int[] peers, final ReplicaStorage log, final PeerTransport transport,
                   final NanoClock clock, final Random random, final ReplicaSettings settings,
                   final ReplicaEvents events) {
        this(id, peers, log, transport, clock, random, settings, events, BrokenRule.NONE);
    }

    /** A replica that breaks {@code broken} on purpose (tests only: the simulation, the history test's nodes). */
    public Replica(final int id, final int[] peers, final ReplicaStorage log, final PeerTransport transport,
                   final NanoClock clock, final Random random, final ReplicaSettings settings,
                   final ReplicaEvents events, final BrokenRule broken) {
        this(id, peers, log, transport, clock, random, settings, events, Leadership.elected(), broken);
    }

    /** A replica led as {@code leadership} says (breaking {@code broken} on purpose: tests only). */
    public Replica(final int id, final int[] peers, final ReplicaStorage log, final PeerTransport transport,
                   final NanoClock clock, final Random random, final ReplicaSettings settings,
                   final ReplicaEvents events, final Leadership leadership, final BrokenRule broken) {
        if (id == NOBODY || Arrays.stream(peers).anyMatch(peer -> peer == id || peer == NOBODY)) {
            throw new IllegalArgumentException("node ids must be positive and differ from each other: " + id + " "
                + Arrays.toString(peers));
        }
        this.id = id;
        this.peers = peers.clone();
        this.clusterSize = peers.length + 1;
        this.majority = clusterSize / 2 + 1;
        this.quorum = leadership.quorum() > 0 ? leadership.quorum() : majority;
        if (quorum > clusterSize) {
            throw new IllegalArgumentException("a quorum of " + quorum + " in a cluster of " + clusterSize);
        }
        this.log = log;
        this.transport = transport;
        this.clock = clock;
        this.random = random;
        this.settings = settings;
        this.events = events;
        this.broken = broken;
        this.commit = new CommitTracker(this);
        this.appends = new ClientAppends(this);
        // at least the epoch of its last entry: a log kept while its saved epoch was not (a role change over a log in
        // memory, a log from another data directory) must not make a static master enter an epoch its log holds
        final long logEpoch = log.epochAt(log.lastId());
        this.epoch = Math.max(log.savedEpoch(), logEpoch);
        this.votedFor = broken == BrokenRule.FORGETS_VOTE || logEpoch > log.savedEpoch() ? NOBODY : log.savedVote();
        this.leadership = leadership;
        if (!leadership.isStatic()) {
            settings.requireElectable();
        }
        if (leadership.isStatic() && leadership.staticMaster() != id
            && Arrays.stream(peers).noneMatch(peer -> peer == leadership.staticMaster())) {
            throw new IllegalArgumentException("the static master " + leadership.staticMaster()
                + " is not in the cluster: " + id + " " + Arrays.toString(peers));
        }
        this.election = new Election(this);
        this.follower = new FollowerApply(this);
        this.leader = new LeaderReplication(this);
        this.staticMaster = new StaticMaster(this);
        this.mastership = new Mastership(this);
        if (leadership.isStaticMaster(id)) {
            role = Role.CANDIDATE;
            masterId = id;
            staticMaster.startPending();
        } else if (leadership.isStatic()) {
            masterId = leadership.staticMaster();
        }
        election.resetTimer();
    }

    // ---------------------------------------------------------------- what the node asks

    public int id() {
        return id;
    }

    public Role role() {
        return role;
    }

    public long epoch() {
        return epoch;
    }

    /** The master this node follows (or itself), or {@link #NOBODY} when it knows none in its epoch. */
    public int masterId() {
        return masterId;
    }

    public long commitId() {
        return commitId;
    }

    public Leadership leadership() {
        return leadership;
    }

    /**
     * What this node may serve to readers (its read policy): under a static leader what it holds durably (fixed
     * roles' inconsistency window: a secondary may serve what a majority does not hold yet), when elected the
     * committed prefix (never rolled back).
     */
    public long readableId() {
        return leadership.isStatic() ? log.durableId() : commitId;
    }

    /**
     * As static master, why it takes no appends (no quorum, or still taking back its lost tail), for the node
     * status; null when it takes them, and on every other node (a secondary is not a read-only master).
     */
    public String readOnlyReason() {
        if (!leadership.isStaticMaster(id) || halted != null) {
            return null;
        }
        return role == Role.LEADER ? staticMaster.refusal() : staticMaster.startingReason();
    }

    public int clusterSize() {
        return clusterSize;
    }

    /** Appends waiting for their w. */
    public int waitingAppends() {
        return commit.waiting();
    }

    /** Tags a master remembers (at most the storage's window, {@link ReplicaStorage#tagsKept}). */
    int tagsHeld() {
        return appends.tagsHeld();
    }

    /**
     * What a master knows of one peer's log, for the node's health report and metrics: the highest msg_id the peer
     * holds durably as the master does (what counts toward w), the highest it said it holds, and how long since it
     * last answered.
     */
    public record PeerProgress(long durableId, long acceptedId, long silentNanos) {
    }

    /** As master, what it knows of {@code peer}; null on a node that is not master or for an unknown peer. */
    public PeerProgress progressOf(final int peer) {
        return role == Role.LEADER ? leader.progressOf(peer, clock.nanoTime()) : null;
    }

    /**
     * As follower of a known master: how long since that master last sent something; -1 on a master, a candidate,
     * a node that knows no master or has not heard from it yet.
     */
    public long masterSilentNanos() {
        if (role != Role.FOLLOWER || masterId == NOBODY || follower.lastMasterContact() == Long.MIN_VALUE) {
            return -1;
        }
        return clock.nanoTime() - follower.lastMasterContact();
    }

    // ---------------------------------------------------------------- inputs

    /** Time passed: an election is due, or (master) heartbeats and the check that a majority still answers. */
    public void tick() {
        if (halted != null || stopped != null) {
            return;
        }
        final long now = clock.nanoTime();
        if (role == Role.LEADER) {
            mastership.tick(now);
        } else if (leadership.isStaticMaster(id)) {
            staticMaster.tick(now);
        } else if (!leadership.isStatic() && election.due(now)) {
            election.startPreVote(); // a static leader's secondaries never campaign
        }
    }

    /** A peer's message arrived. */
    public void receive(final int from, final PeerMessage message) {
        if (halted != null || stopped != null) {
            return; // a node whose storage failed takes no part: to the others it is a crashed node
        }
        if (leadership.isStatic() && (message instanceof VoteRequest || message instanceof VoteReply)) {
            return; // nobody campaigns under a static leader: a misconfigured node's, neither counted nor adopted
        }
        final boolean tentative = message instanceof VoteRequest request && request.preVote()
            || message instanceof VoteReply reply && reply.preVote() && reply.granted();
        if (message.epoch() > epoch && !tentative) {
            if (leadership.isStaticMaster(id)) {
                // a node saw a later epoch than this master's (say, of an elected configuration before): go above it
                staticMaster.startEpoch(message.epoch() + 1, "node " + from + " is in epoch " + message.epoch());
                return;
            }
            final int master = message instanceof Replicate || message instanceof TailRequest ? from : NOBODY;
            // a vote request saves the new epoch together with the vote: one fsync, not two
            mastership.stepDown(message.epoch(), master, "node " + from + " is in epoch " + message.epoch(),
                !(message instanceof VoteRequest));
        }
        if (message instanceof Replicate replicate) {
            follower.replicate(from, replicate);
        } else if (message instanceof ReplicateReply reply) {
            leader.replied(from, reply);
        } else if (message instanceof VoteRequest request) {
            election.vote(from, request);
        } else if (message instanceof VoteReply reply) {
            election.counted(from, reply);
        } else if (message instanceof TailRequest request) {
            follower.answerTail(from, request);
        } else if (message instanceof TailReply reply) {
            staticMaster.tailAnswered(from, reply);
        }
    }

    /** The store made everything up to {@code durableId} durable. */
    public void durable(final long durableId) {
        if (halted != null || stopped != null) {
            return;
        }
        if (role == Role.LEADER) {
            commit.advance();
        } else if (role == Role.FOLLOWER && masterId != NOBODY) {
            follower.durable(durableId);
        }
    }

    /** A client's append without a timeout: see {@link #append(byte[], int, long, long, long, AppendCallback)}. */
    public void append(final byte[] payload, final int w, final long clientId, final long seq,
                       final AppendCallback callback) {
        append(payload, w, clientId, seq, 0, callback);
    }

    /**
     * A client's append (clientId 0: untagged). Answered through {@code callback}, on this thread, maybe at once.
     * The entry goes to the peers on the next {@link #flush} (so a burst of appends travels in one message). With
     * {@code timeoutNanos} above 0, an append whose w is not met that long after is answered TIMEOUT at a
     * {@link #tick} and stops counting toward the bound on waiting appends (its entry stays in the log).
     */
    public void append(final byte[] payload, final int w, final long clientId, final long seq,
                       final long timeoutNanos, final AppendCallback callback) {
        if (halted != null) {
            callback.failed(ErrorCode.STORAGE_FAILED, "this node stopped taking part in its cluster: " + halted,
                NOBODY);
            return;
        }
        if (stopped != null) {
            callback.failed(stoppedCode, stopped, NOBODY);
            return;
        }
        appends.append(payload, w, clientId, seq, timeoutNanos, callback);
    }

    /**
     * The node stops: every append waiting for its w is answered {@code SHUTTING_DOWN} (it is in the log and may
     * still reach its w through the other nodes), and so is every append that reaches it later.
     */
    public void shutDown() {
        stopped = "the node is shutting down";
        stoppedCode = ErrorCode.SHUTTING_DOWN;
        commit.stopAll();
    }

    /**
     * The node stops this replica because another role takes over its log: every append waiting for its w is
     * answered {@code code} with {@code why} (it is in the log and may still reach its w through the other nodes), and
     * so is every append that reaches it later; it takes no further part.
     */
    public void shutDown(final short code, final String why) {
        stopped = why;
        stoppedCode = code;
        commit.failAll(code, why + "; the message is in its log and may still be replicated by the next master",
            NOBODY);
    }

    /**
     * The node's storage failed under it (a write, an fsync or the vote file): whatever this replica believed about
     * its log may now be untrue, so it stops for good, like a crashed node: waiting appends fail, it neither votes
     * nor stands for election nor replicates until the node is restarted (recovery then reads what is on disk).
     */
    public void halt(final String why) {
        if (halted != null) {
            return;
        }
        halted = why;
        final Role before = role;
        role = Role.FOLLOWER;
        masterId = NOBODY;
        mastership.dropLeaderState(ErrorCode.STORAGE_FAILED, "this node's storage failed: " + why, NOBODY);
        events.halted(why);
        events.roleChanged(role, epoch, NOBODY, "stopped: its storage failed (" + why + "); restart the node"
            + (before == Role.LEADER ? "; the other nodes elect another master" : ""));
    }

    /** Why the replica stopped ({@link #halt}), or null. */
    public String halted() {
        return halted;
    }

    /** Stores what was appended since the last flush as one batch (its fsync follows) and sends it to every peer. */
    public void flush() {
        if (halted == null && appends.takeUnsynced()) {
            log.sync();
        }
        if (role == Role.LEADER && leader.sendBehind() && broken == BrokenRule.ACKS_ON_SEND) {
            commit.advance();
        }
    }

    @Override
    public String toString() {
        return "node " + id + " " + role + " epoch " + epoch + " master " + masterId + " log " + log.lastId()
            + " durable " + log.durableId() + " commit " + commitId;
    }
}
