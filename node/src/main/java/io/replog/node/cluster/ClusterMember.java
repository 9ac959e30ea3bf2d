package io.replog.node.cluster;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.BrokenRule;
import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.PeerMessage;
import io.replog.node.consensus.Replica;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.log.LogFullException;
import io.replog.node.log.LogStore;
import io.replog.node.log.VoteFile;
import io.replog.node.role.AppendObserver;
import io.replog.node.logging.RepeatCounter;
import io.replog.node.role.NodeRole;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Random;
import java.util.function.LongConsumer;

/**
 * One node's part in its cluster (fixed roles or elected), assembled: the {@link Replica} on its {@link ReplicaDriver} thread, its
 * storage over the node's log and vote file, its connections to the peers, and the {@link NodeRole} the node's
 * ports talk to.
 */
public final class ClusterMember implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);

    private final Peers peers;
    private final ReplicaDriver driver;
    private final PeerLinks links;
    private final ReplicatedRole role;
    private final Replica replica;
    private final VoteFile vote;
    private final LogReplicaStorage storage;
    /** The master's deliveries refused in a row for a full log (logged on the 1st and every 10th). */
    private final RepeatCounter fullRefusals = new RepeatCounter();

    /** A node of a cluster led as {@code leadership} says (elected: failover; static: fixed roles). */
    public ClusterMember(final NodeConfig config, final Peers peers, final ReplicaSettings settings,
                           final Leadership leadership, final LogStore log, final EventLoopGroup loops,
                           final AppendObserver observer, final LongConsumer readableAdvanced) {
        this.peers = peers;
        this.driver = new ReplicaDriver("replog-replica-" + peers.self());
        this.links = new PeerLinks(peers, loops, config, leadership.isStatic(), log::logId, this::answer);
        // the largest message is what fits one APPEND_ENTRIES as a tagged entry (epoch, flags and tag around it)
        this.role = new ReplicatedRole(peers, log, driver, links, settings,
            AppendEntries.maxPayload(config.maxFrameLength()), config.maxPendingAppends(),
            observer, readableAdvanced, new PeerFaultInjection(peers.self(), config, links, this::lastIndex,
                this::epoch, this::toReplica));
        role.statusSettings(config.flush());
        this.vote = VoteFile.open(config.dataDir());
        this.storage = new LogReplicaStorage(log, vote,
            config.dataDir());
        role.rolledBack(storage::messagesCut);
        this.replica = new Replica(peers.self(), peers.others(), storage, links, config.clock(), new Random(),
            settings.withMaxBatchBytes(config.maxFrameLength() / 2), role, leadership, BrokenRule.fromSystemProperty());
        // the replica counts in log indexes: the storage translates what the log made durable (marks included)
        log.durabilityListener(durableId -> {
            driver.executeFirst(r -> r.durable(storage.durableId()));
            role.durableAdvanced();
        });
        // an fsync that fails on the log's own flusher thread (group commit) stops the replica as a failed write does:
        // waiting appends are answered at once, the node turns read-only and says why
        log.failureListener(why -> driver.execute(r -> r.halt(why)));
        role.leadership(leadership);
    }

    /** A peer's answer on this node's connection to it (for the links, made before the role they hand it to). */
    private void answer(final int from, final ChannelHandlerContext ctx, final Frame frame) {
        role.answer(from, ctx, frame);
    }

    /**
     * A peer's message, to the replica's thread. A delivery this node's full log cannot take is refused on its
     * connection with REPLICATION_FAILED "the log is full: …" (the master shows this node Failing, never counts it,
     * and retries), and the node goes on: it serves reads, follows its master's heartbeats and commit point, and
     * answers a restarted master's tail request, as a fixed secondary did. Nothing of the delivery was stored (the
     * log stages all or nothing, and the replica counts entries only once they are stored). Any other failure of
     * the replica's step, or a full log anywhere but in a follower's delivery, halts it (ReplicaDriver).
     */
    private void toReplica(final Channel channel, final int from, final PeerMessage message) {
        driver.executeFirst(r -> {
            try {
                r.receive(from, message);
            } catch (LogFullException full) {
                if (!(message instanceof PeerMessage.Replicate delivery) || r.role() != Replica.Role.FOLLOWER
                    || r.halted() != null) {
                    throw full; // e.g. a static master's own epoch start: its log is in doubt, it halts
                }
                final long n = fullRefusals.occurred();
                if (n > 0) {
                    LOG.warn("node {}: cannot store node {}'s entries after index {}: {} (refusal {} in a row)",
                        peers.self(), from, delivery.prevId(), full.getMessage(), n);
                }
                channel.writeAndFlush(new ErrorFrame(0, ErrorCode.REPLICATION_FAILED, full.getMessage()),
                    channel.voidPromise());
                return;
            }
            if (message instanceof PeerMessage.Replicate delivery && !delivery.entries().isEmpty()) {
                fullRefusals.ended();
            }
        });
    }

    /**
     * The replica's last log index (epoch marks count, msg_ids do not): where a refusal says the log ends, as the
     * replica's own refusals do (for the fault injection, made before the storage it asks).
     */
    private long lastIndex() {
        return storage.lastId();
    }

    /** The epoch this node is in (for the fault injection, made before the role it asks). */
    private long epoch() {
        return role.epoch();
    }

    /** Connects to the peers and starts the replica (a follower until it hears from a master or elects one). */
    public void start() {
        links.start();
        driver.start(replica, () -> role.tick(replica));
    }

    /**
     * Waits up to {@code ms} for this node to lead for the first time (a static master: once it took back its tail,
     * as a fixed master's start did before it answered anyone); whether it did.
     */
    public boolean awaitFirstLead(final long ms) {
        try {
            final boolean led = role.awaitFirstLead(ms);
            if (led) {
                // publish the leader's view of its peers now, not at the next tick: a status read right after the
                // start then shows each peer's position like every later one
                driver.runAndWait(role::tick);
            }
            return led;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The node's replication-auth counts, shown in a fixed secondary's status ({@code withKey}: it requires one). */
    public void authStats(final io.replog.node.security.AuthStats stats, final boolean withKey) {
        role.authStats(stats, withKey);
    }

    public NodeRole role() {
        return role;
    }

    public Peers peers() {
        return peers;
    }

    /** Elected (failover) or a static leader (fixed roles). */
    public Leadership leadership() {
        return replica.leadership();
    }

    /** Stops this node's part in its cluster as the node shuts down (waiting appends: SHUTTING_DOWN). */
    @Override
    public void close() {
        stop(Replica::shutDown);
    }

    /**
     * Stops this node's part in its cluster because another takes over its log (a role change): appends waiting or
     * still arriving are answered {@code code} with {@code why}. The log stays open.
     */
    public void close(final short code, final String why) {
        stop(replica -> replica.shutDown(code, why));
    }

    /** Stops the replica as {@code how} says, then its thread, links and files; the node closes the log. */
    private void stop(final java.util.function.Consumer<Replica> how) {
        driver.runAndWait(how);
        driver.close();
        links.close();
        vote.close();
        storage.close();
    }
}
