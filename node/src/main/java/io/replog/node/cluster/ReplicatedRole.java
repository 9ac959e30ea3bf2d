package io.replog.node.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.replog.node.consensus.AppendCallback;
import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.Replica;
import io.replog.node.consensus.ReplicaEvents;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.log.LogFullException;
import io.replog.node.log.LogStore;
import io.replog.node.logging.RepeatCounter;
import io.replog.node.role.AppendObserver;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.NodeRole;
import io.replog.node.role.ReplicationHold;
import io.replog.node.role.TagCheck;
import io.replog.node.security.AuthStats;
import io.replog.node.status.NodeStatus;
import io.replog.node.status.PeerState;
import io.replog.node.status.PeerStatus;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A node of a cluster as its connections see it: master or secondary as its leadership says (node 1 of fixed roles,
 * or as the election decided, changing without a restart). Appends go to the {@link Replica} on its thread (a node that is not master refuses them with
 * {@code NOT_MASTER} and the master's address when it knows it); peer frames go there too; every node serves reads
 * of its log up to the commit point it knows.
 */
final class ReplicatedRole implements NodeRole, ReplicaEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedRole.class);

    /** What the connections may read without asking the replica's thread. */
    private record View(Replica.Role role, long epoch, int masterId) {
    }

    /**
     * What the replica's thread published at its last tick for the health report and metrics: its progress with each
     * peer (null entries on a node that is not master), in {@link Peers#others()} order, and how long it had not
     * heard from its master (-1: no master known, or this node is master); {@code atNanos} is when, so the silences
     * keep growing if the thread stalls.
     */
    private record Progress(long atNanos, Replica.PeerProgress[] peers, long masterSilentNanos) {
    }

    private final Peers peers;
    private final LogStore log;
    private final ReplicaDriver driver;
    private final int maxPayload;
    private final AppendObserver observer;
    private final LongConsumer readableAdvanced;
    /** Appends handed to the replica's thread and not answered yet, and their bound (--max-pending-appends). */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final int maxQueued;
    private final PeerLinks links;
    /** Between the peer connections and the replica: --delay-ms, --fail-rate, --drop-rate. */
    private final PeerFaultInjection faults;
    private final ReplicaSettings settings;
    /** The other nodes' ids, ascending: the order of {@link Progress#peers} and of the health report's peers. */
    private final int[] others;
    private volatile View view = new View(Replica.Role.FOLLOWER, 0, Replica.NOBODY);
    private volatile String lastElection = "none yet";
    private volatile long lastElectionMillis;
    /** The commit point in the replica's log indexes; {@link #commitId()} is it as a msg_id. */
    private volatile long commitIndex;
    /** Why the replica stopped for good (its storage failed), or null. */
    private volatile String storageError;
    private volatile int waiting;
    private volatile AuthStats authStats;
    private volatile boolean authenticates;
    /** Messages this node cut from its log (conflicting with its master's): a fixed secondary shows them. */
    private volatile java.util.function.LongSupplier rolledBack = () -> 0;
    /** Open once this node first led (a static master: once it took back its tail). */
    private final java.util.concurrent.CountDownLatch firstLead = new java.util.concurrent.CountDownLatch(1);
    /** Elected (failover) or a static leader (fixed roles): the read policy and what appends are told. */
    private volatile Leadership leadership = Leadership.elected();
    /**
     * Why this static master refuses appends (taking back its tail, no quorum), as the replica last said; null when
     * it takes them, and on every other node.
     */
    private volatile String masterReadOnly;
    /** Why this node stopped being master, until a master is known again (the status says so); else null. */
    private volatile String steppedDown;
    /** The log's flush policy, for the status. */
    private volatile String flush;
    private volatile Progress progress;
    /** How a full log's refusal starts (LogFullException's words): not a failed disk. */
    private static final String FULL = "the log is full";
    /** Frames of another log refused in a row (logged on the 1st and every 10th). */
    private final RepeatCounter logRefusals = new RepeatCounter();
    /** As master, appends stored by w (index w-1; the last counts every higher w too): the metrics' appends. */
    private final java.util.concurrent.atomic.AtomicLongArray storedByW;

    ReplicatedRole(final Peers peers, final LogStore log, final ReplicaDriver driver, final PeerLinks links,
                 final ReplicaSettings settings, final int maxPayload, final int maxQueued,
                 final AppendObserver observer, final LongConsumer readableAdvanced, final PeerFaultInjection faults) {
        this.settings = settings;
        this.faults = faults;
        this.others = peers.others();
        this.progress = new Progress(System.nanoTime(), new Replica.PeerProgress[others.length], -1);
        this.maxQueued = maxQueued;
        this.storedByW = new java.util.concurrent.atomic.AtomicLongArray(peers.size());
        this.peers = peers;
        this.log = log;
        this.driver = driver;
        this.links = links;
        this.maxPayload = maxPayload;
        this.observer = observer;
        this.readableAdvanced = readableAdvanced;
    }

    // ---------------------------------------------------------------- told by the replica (its thread)

    @Override
    public void roleChanged(final Replica.Role role, final long epoch, final int masterId, final String why) {
        if (role == Replica.Role.LEADER) {
            // a static master leads once it took back its tail: what it said while starting is over now, not at the
            // next tick (an append right after the start would be refused read-only)
            masterReadOnly = null;
            firstLead.countDown();
        }
        final View before = view;
        view = new View(role, epoch, masterId);
        steppedDown = before.role() == Replica.Role.LEADER && role != Replica.Role.LEADER
            ? "stepped down as master in epoch " + before.epoch() + ": " + why
            : masterId != Replica.NOBODY ? null : steppedDown;
        if (role == Replica.Role.LEADER) {
            lastElection = "node " + peers.self() + " became master in epoch " + epoch + ": " + why;
            lastElectionMillis = System.currentTimeMillis();
        } else if (masterId != Replica.NOBODY && masterId != before.masterId()) {
            lastElection = "node " + masterId + " is master in epoch " + epoch;
            lastElectionMillis = System.currentTimeMillis();
        }
        LOG.info("node {}: {} in epoch {}{}: {}", peers.self(), role == Replica.Role.LEADER ? "master"
            : role == Replica.Role.CANDIDATE ? "candidate" : "secondary", epoch,
            masterId == Replica.NOBODY || masterId == peers.self() ? "" : " (master: node " + masterId + " at "
                + peers.hostPort(masterId) + ")", why);
        readableAdvanced.accept(readableId());
    }

    @Override
    public void halted(final String why) {
        storageError = why;
        LOG.error("node {}: stopped taking part in the cluster: its storage failed ({}); restart it once the disk "
            + "is fixed", peers.self(), why);
    }

    @Override
    public void resending(final int peer, final long fromId, final String why, final long resends, final int retry,
                          final long nextInMs) {
        LOG.info("node {}: resending node {} its log from index {} ({}); {} resend(s) since the last such line, "
            + "retry {} of this one, the next in {} ms unless it accepts", peers.self(), peer, fromId, why, resends,
            retry, nextInMs);
    }

    @Override
    public void voted(final long epoch, final int candidate, final boolean granted, final String why) {
        LOG.info("node {}: {} node {} in epoch {}: {}", peers.self(), granted ? "voted for" : "refused its vote to",
            candidate, epoch, why);
    }

    @Override
    public void truncated(final long lastKept, final long formerLastId) {
        LOG.warn("node {}: cut log indexes {}..{}: the master's log of epoch {} does not hold them", peers.self(),
            lastKept + 1, formerLastId, view.epoch());
    }

    @Override
    public void committed(final long id) {
        commitIndex = id;
        readableAdvanced.accept(readableId());
    }

    /**
     * On the replica's thread after every tick: publishes what it knows of its peers (for health and metrics, read
     * on other threads). Appends past their timeout_ms were answered TIMEOUT by the replica's tick.
     */
    void tick(final Replica replica) {
        waiting = replica.waitingAppends();
        final Replica.PeerProgress[] each = new Replica.PeerProgress[others.length];
        for (int i = 0; i < others.length; i++) {
            each[i] = replica.progressOf(others[i]);
        }
        progress = new Progress(System.nanoTime(), each, replica.masterSilentNanos());
        masterReadOnly = replica.readOnlyReason();
    }


    // ---------------------------------------------------------------- NodeRole

    @Override
    public String name() {
        // a static master is master while it takes back its tail or lacks a quorum too: read-only, not deposed
        return view.role() == Replica.Role.LEADER || staticMaster() ? "master" : "secondary";
    }

    @Override
    public LogStore log() {
        return log;
    }

    /**
     * The read policy. Elected (failover): every node serves what it knows to be committed (Kafka's high watermark):
     * what a reader sees is never rolled back by a failover, whichever node it reads from and whatever w the append
     * had. Static leader (fixed roles): every node serves what it holds durably, as fixed roles always did (the
     * inconsistency window between nodes that {@code local --delays} shows).
     */
    @Override
    public long readableId() {
        return leadership.isStatic() ? log.durableId() : Math.min(commitId(), log.lastId());
    }

    /**
     * The node's counts of refused replication frames and failed handshakes, and whether it requires the cluster key:
     * shown by a fixed secondary, as it always did.
     */
    void authStats(final AuthStats stats, final boolean withKey) {
        authStats = stats;
        authenticates = withKey;
    }

    /** Where the count of messages cut from the log comes from (its storage), shown as {@code rolled_back}. */
    void rolledBack(final java.util.function.LongSupplier count) {
        rolledBack = count;
    }

    /** Waits up to {@code ms} for this node to lead for the first time; whether it did. */
    boolean awaitFirstLead(final long ms) throws InterruptedException {
        return firstLead.await(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** How the cluster is led (set once, before the node starts): the read policy and the refusals follow it. */
    void leadership(final Leadership value) {
        leadership = value;
        readableAdvanced.accept(readableId());
    }

    /** The log made more durable (any thread): under the durable read policy, more is readable. */
    void durableAdvanced() {
        if (leadership.isStatic()) {
            readableAdvanced.accept(readableId());
        }
    }

    private boolean staticMaster() {
        return leadership.isStaticMaster(peers.self());
    }

    @Override
    public void readOnly(final String reason) {
        masterReadOnly = reason;
        if (reason != null) {
            LOG.warn("node {}: read-only: {}", peers.self(), reason);
        } else {
            LOG.info("node {}: takes appends again: a quorum answers", peers.self());
        }
    }

    /**
     * Refusals are counted in the append errors, as a fixed master counts its own; NOT_MASTER is not: it is not an
     * append this node took, only one sent to the wrong node.
     */
    @Override
    public ErrorFrame checkAppend(final long requestId, final int w, final int payloadLength) {
        final ErrorFrame refused = refusal(requestId, w, payloadLength);
        if (refused != null && refused.code() != ErrorCode.NOT_MASTER) {
            observer.failed(refused.code());
        }
        return refused;
    }

    private ErrorFrame refusal(final long requestId, final int w, final int payloadLength) {
        final String storage = storageError;
        if (staticMaster()) {
            // the same reason the status shows: a failed disk, taking back its tail, no quorum
            final String why = staticMasterReadOnly(view, storage);
            if (why != null) {
                return new ErrorFrame(requestId, ErrorCode.READ_ONLY, "read-only: " + why);
            }
        } else if (storage != null) {
            return new ErrorFrame(requestId, ErrorCode.STORAGE_FAILED, storageFailed(storage));
        } else if (view.role() != Replica.Role.LEADER) {
            return new ErrorFrame(requestId, ErrorCode.NOT_MASTER, notMaster());
        }
        if (w < 1 || w > peers.size()) {
            return new ErrorFrame(requestId, ErrorCode.INVALID_REQUEST, "w must be between 1 and " + peers.size()
                + (leadership.isStatic() ? " (master + " + (peers.size() - 1) + " secondaries)"
                : " (the cluster's nodes)") + ", got " + w);
        }
        if (payloadLength > maxPayload) {
            return new ErrorFrame(requestId, ErrorCode.PAYLOAD_TOO_LARGE,
                "message of " + payloadLength + " bytes exceeds the limit of " + maxPayload);
        }
        return null;
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

    @Override
    public String masterHttpAddress() {
        final View v = view;
        return v.masterId() == Replica.NOBODY || v.masterId() == peers.self() ? null : peers.httpHostPort(v.masterId());
    }

    /**
     * Why a static master refuses appends, or null when it takes them: its log on disk failed (until restarted, the
     * README's words), it is taking back its tail or lacks a quorum (as the replica last said), or it has not led yet.
     */
    private String staticMasterReadOnly(final View v, final String storage) {
        if (storage != null) {
            return "the master's log on disk failed (" + storage + "); restart the master";
        }
        final String readOnly = masterReadOnly;
        return readOnly != null || v.role() == Replica.Role.LEADER ? readOnly : "the master is starting";
    }

    /** Why any other node whose storage failed refuses appends. */
    private static String storageFailed(final String storage) {
        return "this node's storage failed (" + storage + "); it takes no part in its cluster until restarted";
    }

    @Override
    public void append(final AppendRequest request) {
        // only appends that can wait for peers count: a w=1 append waits for this node's own flush alone, so appends
        // stuck on a dead peer never make the master refuse the clients that do not wait for it
        final boolean counted = request.w() > 1;
        if (counted && queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            request.takePayload().release();
            request.fail(ErrorCode.OVERLOADED, "too many appends waiting for their write concern (" + maxQueued
                + ", --max-pending-appends); retry later or use timeout_ms. Nothing stored");
            return;
        }
        if (counted) {
            request.onAnswer(queued::decrementAndGet);
        }
        final ByteBuf payload = request.takePayload();
        final byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(payload);
        } finally {
            payload.release();
        }
        request.observedBy(observer);
        driver.execute(replica -> {
            try {
                appendTo(replica, request, bytes);
            } catch (LogFullException e) {
                // nothing was staged (LogStore's promise) and the replica changes nothing before its log takes the
                // entry: refuse this append and go on serving, as a fixed master does (not a failed storage)
                request.fail(ErrorCode.STORAGE_FULL, e.getMessage());
            } catch (RuntimeException e) {
                request.fail(ErrorCode.STORAGE_FAILED, "the message could not be stored: " + e);
                throw e;
            }
        });
    }

    private void appendTo(final Replica replica, final AppendRequest request, final byte[] bytes) {
        // refused while the replica takes it: nothing was stored; answered later (the master stepped down while the
        // append waited for its w): it is in this node's log, and whether it survives is not known yet
        final boolean[] taken = new boolean[1];
        // where the replica put it (-1: not in the log): a failure after that says what is stored where
        final long[] at = {-1};
        replica.append(bytes, request.w(), request.tagged() ? request.clientId() : 0,
                request.tagged() ? request.seq() : 0, request.timeoutNanos(), new AppendCallback() {
                    @Override
                    public void stored(final long index) {
                        countStored(request.w());
                        answerStored(index);
                    }

                    private void answerStored(final long index) {
                        final long msgId = IndexMap.msgIdAt(log.marks(), index); // a message: its own msg_id
                        request.assigned(msgId, System.nanoTime());
                        request.succeed(System.nanoTime());
                    }

                    @Override
                    public void accepted(final long index) {
                        at[0] = index;
                    }

                    @Override
                    public boolean abandoned() {
                        return request.clientGone();
                    }

                    @Override
                    public void storedBefore(final long index) {
                        request.markDuplicate();
                        answerStored(index); // stored the first time: not counted again
                    }

                    @Override
                    public void tagReused(final long clientId, final long seq, final long firstIndex,
                                          final int masterId) {
                        // the engine names the first append by its log index: readers know it by its msg_id
                        request.fail(ErrorCode.TAG_REUSED, TagCheck.reused(clientId, seq,
                            IndexMap.msgIdAt(log.marks(), firstIndex)));
                    }

                    @Override
                    public void stopping(final long index, final int w) {
                        countStored(w);
                        if (!leadership.isStatic()) {
                            AppendCallback.super.stopping(index, w);
                            return;
                        }
                        // fixed roles' words (README): the master restarts with its log, the message is kept
                        request.fail(ErrorCode.SHUTTING_DOWN, "the master is shutting down; the message is stored as "
                            + "msg_id " + IndexMap.msgIdAt(log.marks(), index) + " but w=" + w
                            + " was not reached yet");
                    }

                    @Override
                    public void failed(final short code, final String why, final int masterId) {
                        if (code == ErrorCode.TIMEOUT) {
                            countStored(request.w()); // stored, its w not reached in time
                        }
                        final long msgId = at[0] < 0 ? -1 : IndexMap.msgIdAt(log.marks(), at[0]);
                        if (code == ErrorCode.STORAGE_FAILED && msgId > 0) {
                            request.fail(code, "msg_id " + msgId + " was written but could not be made durable: "
                                + why + "; it may be lost (or found again when the node restarts)");
                        } else if (code == ErrorCode.STORAGE_FAILED && staticMaster()) {
                            // not stored, queued as the disk failed: what every later append to this master gets
                            final String storage = storageError;
                            request.fail(ErrorCode.READ_ONLY, "read-only: "
                                + staticMasterReadOnly(view, storage != null ? storage : why));
                        } else if (code != ErrorCode.NOT_MASTER) {
                            request.fail(code, why);
                        } else if (taken[0]) {
                            request.fail(code, why + "; the message is in this node's log and may or may not "
                                + "survive (send it again tagged); " + notMaster());
                        } else {
                            request.fail(code, notMaster());
                        }
                    }
                });
        taken[0] = true;
    }

    /** Holds what a master sends this node to store, while it follows (test-only: {@link ReplicationHold}). */
    @Override
    public ReplicationHold.Held holdReplication() {
        return faults.hold();
    }

    /** One more append stored with write concern {@code w} (on the replica's thread). */
    private void countStored(final int w) {
        storedByW.incrementAndGet(Math.min(Math.max(w, 1), storedByW.length()) - 1);
    }

    private List<Long> storedCounts() {
        final List<Long> counts = new ArrayList<>(storedByW.length());
        for (int i = 0; i < storedByW.length(); i++) {
            counts.add(storedByW.get(i));
        }
        return counts;
    }

    /** A peer frame arrived on a connection: to the replica's thread. */
    @Override
    public void peer(final ChannelHandlerContext ctx, final Frame frame) {
        final String diskFailure = storageError;
        if (diskFailure != null) {
            // answered rather than ignored: the sender shows this node Failing with the reason, not merely silent
            ReferenceCountUtil.release(frame);
            final String who = staticMaster() ? "node " + peers.self() + "'s" : "this secondary's";
            ctx.writeAndFlush(new ErrorFrame(frame.requestId(), ErrorCode.REPLICATION_FAILED,
                (diskFailure.startsWith(FULL) ? diskFailure : who + " disk failed: " + diskFailure)
                + "; it stores nothing until restarted"), ctx.voidPromise());
            return;
        }
        final int from = PeerFrames.sender(frame);
        if (from == peers.self() || !peers.member(from)) {
            ReferenceCountUtil.release(frame);
            ctx.writeAndFlush(new ErrorFrame(frame.requestId(), ErrorCode.INVALID_REQUEST, "node " + from
                + " is not a peer of node " + peers.self() + " (" + peers + ")"), ctx.voidPromise());
            return;
        }
        final long named = PeerFrames.logId(frame);
        if (named != 0 && named != log.logId() && !adopted(named)) {
            refuseLog(ctx, frame, named);
            return;
        }
        if (named != 0) {
            logRefusals.ended();
        }
        links.heardOn(from, ctx.channel());
        faults.receive(ctx.channel(), from, PeerFrames.toMessage(frame));
    }

    /**
     * Refuses a frame of log {@code named}: this node holds messages of another. Logged on the 1st and every 10th
     * refusal in a row (its master retries every heartbeat), as fixed secondaries did.
     */
    private void refuseLog(final ChannelHandlerContext ctx, final Frame frame, final long named) {
        final long n = logRefusals.occurred();
        if (n > 0) {
            LOG.warn("node {}: refusing replication of log {}: this secondary holds {} messages of log {}; delete "
                + "its data directory to follow the new log (refusal {} in a row)", peers.self(),
                Long.toHexString(named), log.lastId(), Long.toHexString(log.logId()), n);
        }
        ctx.writeAndFlush(new ErrorFrame(frame.requestId(), ErrorCode.LOG_MISMATCH, (leadership.isStatic()
            ? "this secondary" : "node " + peers.self()) + " holds " + log.lastId() + " messages of another log ("
            + Long.toHexString(log.logId()) + "); delete its data directory to follow this master"),
            ctx.voidPromise());
    }

    /**
     * A master names log {@code named}, not this node's: a node that holds no message takes it on (its first master,
     * or a new log after its data directory was deleted); one that holds messages of another log refuses it.
     * On the event loop, before the frame reaches the replica: the log takes its identity before any entry.
     */
    private boolean adopted(final long named) {
        if (log.lastId() > 0) {
            return false;
        }
        try {
            log.adoptLogId(named);
        } catch (IllegalStateException holdsEntries) {
            return false; // epoch marks of another log
        }
        LOG.info("node {}: following log {}", peers.self(), Long.toHexString(named));
        return true;
    }

    /** Peer {@code from} answered on this node's own connection to it: to the replica's thread. */
    void answer(final int from, final ChannelHandlerContext ctx, final Frame frame) {
        faults.receive(ctx.channel(), from, PeerFrames.toMessage(frame));
    }

    // ---------------------------------------------------------------- status

    /** The epoch this node is in. */
    long epoch() {
        return view.epoch();
    }

    /** The commit point this node knows, as a msg_id. */
    long commitId() {
        return IndexMap.msgIdAt(log.marks(), commitIndex);
    }

    /** What the status shows of the node's settings beside its fault injection: its flush policy. */
    void statusSettings(final String flushPolicy) {
        this.flush = flushPolicy;
    }

    /**
     * Read on event loops and the metrics thread: what the replica's thread published at its last tick or role
     * change, and the links' states.
     */
    @Override
    public NodeStatus status() {
        final View v = view;
        final boolean master = v.role() == Replica.Role.LEADER;
        final List<PeerStatus> others = peerStatuses(v);
        final List<Long> committed = new ArrayList<>();
        if (master) {
            for (int w = 1; w <= peers.size(); w++) {
                committed.add(heldBy(w, others));
            }
        }
        final String storage = storageError;
        final int self = peers.self();
        final Leadership led = leadership;
        return NodeStatus.builder(led.isStatic() ? NodeStatus.Mode.FIXED : NodeStatus.Mode.FAILOVER)
            .node(self, "node " + self, peers.hostPort(self), peers.httpHostPort(self))
            .role(name(), v.role() == Replica.Role.LEADER ? "master"
                : v.role() == Replica.Role.CANDIDATE ? "candidate" : "secondary", v.epoch())
            .master(v.masterId() == Replica.NOBODY ? null : new NodeStatus.MasterRef(v.masterId(),
                peers.hostPort(v.masterId()), peers.httpHostPort(v.masterId()), v.masterId() == self))
            .log(Long.toHexString(log.logId()), log.lastId(), log.durableId(), readableId())
            .readOnly(readOnly(v, storage), storage)
            .appends(waiting, maxQueued, maxPayload)
            .cluster(peers.size(), led.quorum() > 0 ? led.quorum() : peers.size() / 2 + 1)
            .byW(committed, master ? storedCounts() : List.of())
            .settings(flush, faults.faults())
            .election(lastElection, lastElectionMillis == 0 ? -1 : System.currentTimeMillis() - lastElectionMillis)
            .peers(others)
            .details(led.isStatic() && !master ? secondaryDetails() : java.util.Map.of())
            .build();
    }

    /** What a fixed secondary's report has always said beyond the common status: when it last heard its master. */
    private java.util.Map<String, Object> secondaryDetails() {
        final Progress p = progress;
        final long silentMs = p == null || p.masterSilentNanos() < 0 ? -1
            : (p.masterSilentNanos() + System.nanoTime() - p.atNanos()) / 1_000_000L;
        final java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("master_last_seen_ms_ago", silentMs);
        details.put("rolled_back", rolledBack.getAsLong());
        final AuthStats auth = authStats;
        if (auth != null) {
            details.put("replication_auth", authenticates ? "cluster key" : "none");
            details.put("unauthorized_frames", auth.refusedFrames());
            details.put("failed_handshakes", auth.failedHandshakes());
        }
        return details;
    }

    /** Why appends are refused here: a failed disk, not being master (having stepped down, say so), or null. */
    private String readOnly(final View v, final String storage) {
        if (staticMaster()) {
            return staticMasterReadOnly(v, storage);
        }
        if (storage != null) {
            return storageFailed(storage);
        }
        if (v.role() == Replica.Role.LEADER) {
            return null;
        }
        final String down = steppedDown;
        return down != null && v.masterId() == Replica.NOBODY ? down + "; " + notMaster() : notMaster();
    }

    /**
     * Each peer as of the replica's last tick. Silence makes a peer Suspected then Unhealthy, as an election would
     * judge it: heard from within the shortest election timeout is Healthy, silent up to the longest Suspected, past
     * it (a master would step down) or without a link Unhealthy. A peer that refused this node's key is
     * Unauthorized; one that answered with an error within the longest election timeout is Failing (before silence:
     * a peer that only refuses is silent to the replica). Diverged is not
     * used: the engine cuts a conflicting tail itself (the log matching rule), so a peer's log always matches in the
     * end.
     */
    private List<PeerStatus> peerStatuses(final View v) {
        final Progress p = progress;
        final long now = System.nanoTime();
        final long sinceTick = now - p.atNanos();
        final List<PeerStatus> statuses = new ArrayList<>(others.length);
        final long[] marks = log.marks();
        final long lastId = log.lastId();
        for (int i = 0; i < others.length; i++) {
            final int id = others[i];
            final Replica.PeerProgress known = v.role() == Replica.Role.LEADER ? p.peers()[i] : null;
            final long silentNanos = known != null ? known.silentNanos()
                : id == v.masterId() ? p.masterSilentNanos() : -1;
            final long silentMs = silentNanos < 0 ? -1 : (silentNanos + sinceTick) / 1_000_000L;
            final boolean connected = links.connected(id);
            final boolean isMaster = id == v.masterId();
            final String unauthorized = links.unauthorized(id);
            final PeerLinks.Refusal refused = links.refused(id);
            final long refusedMsAgo = refused == null ? -1 : (now - refused.atNanos()) / 1_000_000L;
            final PeerHealth health = PeerHealth.of(unauthorized, connected, refused, refusedMsAgo, silentMs, isMaster,
                settings, leadership.isStatic());
            final PeerState state = health.state();
            final String reason = health.reason();
            final long acked = known == null ? -1 : IndexMap.msgIdAt(marks, known.durableId());
            // fixed roles name a secondary by its address and its link by the old sender's states (README)
            final boolean fixed = leadership.isStatic();
            statuses.add(new PeerStatus(id, fixed && peers.hostPort(id) != null ? peers.hostPort(id) : "node " + id,
                peers.hostPort(id), peers.httpHostPort(id), isMaster ? "master" : "secondary", state, reason, acked,
                acked < 0 ? -1 : Math.max(0, lastId - acked), silentMs, connected,
                fixed ? (connected ? "STREAMING" : "CONNECTING") : connected ? "connected" : "not connected",
                links.batchesSent(id)));
        }
        return statuses;
    }

    /**
     * As master, the highest msg_id held durably by at least {@code w} nodes (this one's log and what each peer
     * reported), as a fixed-role master reports per w.
     */
    private long heldBy(final int w, final List<PeerStatus> others) {
        final long lastId = log.lastId();
        final long[] held = new long[peers.size()];
        held[0] = log.durableId();
        int i = 1;
        for (final PeerStatus p : others) {
            held[i++] = Math.max(0, Math.min(p.ackedId(), lastId));
        }
        Arrays.sort(held); // ascending: the w-th highest is held[size - w]
        return held[held.length - w];
    }
}
