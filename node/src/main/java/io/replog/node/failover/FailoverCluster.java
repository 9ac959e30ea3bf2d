package io.replog.node.failover;

import io.netty.channel.EventLoopGroup;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.BrokenRule;
import io.replog.node.consensus.Replica;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.log.LogStore;
import io.replog.node.log.VoteFile;
import io.replog.node.role.AppendObserver;
import io.replog.node.role.NodeRole;
import io.replog.node.status.Faults;
import io.replog.protocol.AppendEntries;

import java.util.Random;
import java.util.function.LongConsumer;

/**
 * One node's part in a failover cluster, assembled: the {@link Replica} on its {@link ReplicaDriver} thread, its
 * storage over the node's log and vote file, its connections to the peers, and the {@link NodeRole} the node's
 * ports talk to.
 */
public final class FailoverCluster implements AutoCloseable {
    private final Peers peers;
    private final ReplicaDriver driver;
    private final PeerLinks links;
    private final FailoverRole role;
    private final Replica replica;
    private final VoteFile vote;
    private final LogReplicaStorage storage;

    public FailoverCluster(final NodeConfig config, final Peers peers, final ReplicaSettings settings,
                           final LogStore log, final EventLoopGroup loops, final AppendObserver observer,
                           final LongConsumer readableAdvanced) {
        this.peers = peers;
        this.driver = new ReplicaDriver("replog-replica-" + peers.self());
        this.links = new PeerLinks(peers, loops, config.maxFrameLength(), config.clusterKey(), config.tls(),
            config.replicationTimeoutMs());
        // an entry travels in APPEND_ENTRIES with more around it than in REPLICATE: its epoch, flags and tag
        this.role = new FailoverRole(peers, log, driver, links, settings,
            AppendEntries.maxPayload(config.maxFrameLength()), config.maxPendingAppends(),
            observer, readableAdvanced);
        // what the node's settings hold; the injected counts are the fault injection's to report once it has any
        role.statusSettings(config.flush(), () -> new Faults(config.delayMs(), config.failRate(), config.dropRate(),
            0, 0));
        this.vote = VoteFile.open(config.dataDir());
        this.storage = new LogReplicaStorage(log, vote,
            config.dataDir());
        this.replica = new Replica(peers.self(), peers.others(), storage, links, config.clock(), new Random(),
            settings.withMaxBatchBytes(config.maxFrameLength() / 2), role, BrokenRule.fromSystemProperty());
        log.durabilityListener(durableId -> driver.execute(r -> r.durable(durableId)));
    }

    /** Connects to the peers and starts the replica (a follower until it hears from a master or elects one). */
    public void start() {
        links.start();
        driver.start(replica, () -> role.tick(replica));
    }

    public NodeRole role() {
        return role;
    }

    public Peers peers() {
        return peers;
    }

    @Override
    public void close() {
        driver.runAndWait(Replica::shutDown);
        driver.close();
        links.close();
        vote.close();
        storage.close();
    }
}
