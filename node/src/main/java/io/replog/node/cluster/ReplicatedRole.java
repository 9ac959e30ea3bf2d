package io.replog.node.cluster;

import io.netty.channel.ChannelHandlerContext;
import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.Replica;
import io.replog.node.consensus.ReplicaEvents;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.log.LogStore;
import io.replog.node.role.AppendObserver;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.NodeRole;
import io.replog.node.role.ReplicationHold;
import io.replog.node.security.AuthStats;
import io.replog.node.status.NodeStatus;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A node of a cluster as its connections see it: master or secondary as its leadership says (node 1 of fixed roles,
 * or as the election decided, changing without a restart). Appends go to the {@link Replica} on its thread
 * ({@link AppendAnswers}; a node that is not master refuses them with {@code NOT_MASTER} and the master's address
 * when it knows it); peer frames go there too ({@link PeerFrameGuard}); every node serves reads of its log as the
 * read policy says. What the replica tells ({@link ReplicaEvents}, on its thread) is published in a
 * {@link RoleState} that the connections and the {@link RoleStatus} read without asking that thread.
 */
final class ReplicatedRole implements NodeRole, ReplicaEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedRole.class);

    private final Peers peers;
    private final LogStore log;
    private final LongConsumer readableAdvanced;
    /** Between the peer connections and the replica: --delay-ms, --fail-rate, --drop-rate. */
    private final PeerFaultInjection faults;
    private final RoleState state;
    private final AppendAnswers appends;
    private final PeerFrameGuard guard;
    private final RoleStatus status;
    /** The commit point in the replica's log indexes; {@link #commitId()} is it as a msg_id. */
    private volatile long commitIndex;
    /** Open once this node first led (a static master: once it took back its tail). */
    private final CountDownLatch firstLead = new CountDownLatch(1);

    ReplicatedRole(final Peers peers, final LogStore log, final ReplicaDriver driver, final PeerLinks links,
                 final ReplicaSettings settings, final int maxPayload, final int maxQueued,
                 final AppendObserver observer, final LongConsumer readableAdvanced, final PeerFaultInjection faults) {
        this.peers = peers;
        this.log = log;
        this.readableAdvanced = readableAdvanced;
        this.faults = faults;
        this.state = new RoleState(peers);
        this.appends = new AppendAnswers(peers, log, driver, state, maxPayload, maxQueued, observer);
        this.guard = new PeerFrameGuard(peers, log, links, faults, state);
        this.status = new RoleStatus(peers, log, links, settings, faults, state, appends);
    }

    // ---------------------------------------------------------------- told by the replica (its thread)

    @Override
    public void roleChanged(final Replica.Role role, final long epoch, final int masterId, final String why) {
        final RoleState.View before = state.changed(new RoleState.View(role, epoch, masterId), why);
        if (role == Replica.Role.LEADER) {
            firstLead.countDown();
            status.election("node " + peers.self() + " became master in epoch " + epoch + ": " + why);
        } else if (masterId != Replica.NOBODY && masterId != before.masterId()) {
            status.election("node " + masterId + " is master in epoch " + epoch);
        }
        LOG.info("node {}: {} in epoch {}{}: {}", peers.self(), role == Replica.Role.LEADER ? "master"
            : role == Replica.Role.CANDIDATE ? "candidate" : "secondary", epoch,
            masterId == Replica.NOBODY || masterId == peers.self() ? "" : " (master: node " + masterId + " at "
                + peers.hostPort(masterId) + ")", why);
        readableAdvanced.accept(readableId());
    }

    @Override
    public void halted(final String why) {
        state.halted(why);
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
            lastKept + 1, formerLastId, state.view().epoch());
    }

    @Override
    public void committed(final long id) {
        commitIndex = id;
        readableAdvanced.accept(readableId());
    }

    @Override
    public void readOnly(final String reason) {
        state.masterReadOnly(reason);
        if (reason != null) {
            LOG.warn("node {}: read-only: {}", peers.self(), reason);
        } else {
            LOG.info("node {}: takes appends again: a quorum answers", peers.self());
        }
    }

    /**
     * On the replica's thread after every tick: publishes what it knows of its peers (for health and metrics, read
     * on other threads). Appends past their timeout_ms were answered TIMEOUT by the replica's tick.
     */
    void tick(final Replica replica) {
        status.publish(replica);
        state.masterReadOnly(replica.readOnlyReason());
    }

    // ---------------------------------------------------------------- NodeRole

    @Override
    public String name() {
        // a static master is master while it takes back its tail or lacks a quorum too: read-only, not deposed
        return state.view().leads() || state.staticMaster() ? "master" : "secondary";
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
        return state.isStatic() ? log.durableId() : Math.min(commitId(), log.lastId());
    }

    @Override
    public ErrorFrame checkAppend(final long requestId, final int w, final int payloadLength) {
        return appends.check(requestId, w, payloadLength);
    }

    @Override
    public void append(final AppendRequest request) {
        appends.append(request);
    }

    @Override
    public String masterHttpAddress() {
        final RoleState.View v = state.view();
        return v.masterId() == Replica.NOBODY || v.masterId() == peers.self() ? null : peers.httpHostPort(v.masterId());
    }

    /** A peer frame arrived on a connection: to the replica's thread, unless the guard refuses it. */
    @Override
    public void peer(final ChannelHandlerContext ctx, final Frame frame) {
        guard.received(ctx, frame);
    }

    /** Peer {@code from} answered on this node's own connection to it: to the replica's thread. */
    void answer(final int from, final ChannelHandlerContext ctx, final Frame frame) {
        guard.answered(from, ctx, frame);
    }

    /** Holds what a master sends this node to store, while it follows (test-only: {@link ReplicationHold}). */
    @Override
    public ReplicationHold.Held holdReplication() {
        return faults.hold();
    }

    /**
     * Read on event loops and the metrics thread: what the replica's thread published at its last tick or role
     * change, and the links' states.
     */
    @Override
    public NodeStatus status() {
        return status.build(name(), readableId());
    }

    // ---------------------------------------------------------------- set up by ClusterMember

    /** How the cluster is led (set once, before the node starts): the read policy and the refusals follow it. */
    void leadership(final Leadership value) {
        state.leadership(value);
        readableAdvanced.accept(readableId());
    }

    /** The log made more durable (any thread): under the durable read policy, more is readable. */
    void durableAdvanced() {
        if (state.isStatic()) {
            readableAdvanced.accept(readableId());
        }
    }

    /** Waits up to {@code ms} for this node to lead for the first time; whether it did. */
    boolean awaitFirstLead(final long ms) throws InterruptedException {
        return firstLead.await(ms, TimeUnit.MILLISECONDS);
    }

    /**
     * The node's counts of refused replication frames and failed handshakes, and whether it requires the cluster key:
     * shown by a fixed secondary, as it always did.
     */
    void authStats(final AuthStats stats, final boolean withKey) {
        status.authStats(stats, withKey);
    }

    /** Where the count of messages cut from the log comes from (its storage), shown as {@code rolled_back}. */
    void rolledBack(final LongSupplier count) {
        status.rolledBack(count);
    }

    /** What the status shows of the node's settings beside its fault injection: its flush policy. */
    void statusSettings(final String flushPolicy) {
        status.flushPolicy(flushPolicy);
    }

    /** The epoch this node is in. */
    long epoch() {
        return state.view().epoch();
    }

    /** The commit point this node knows, as a msg_id. */
    long commitId() {
        return IndexMap.msgIdAt(log.marks(), commitIndex);
    }
}
