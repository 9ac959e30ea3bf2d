package io.replog.node;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.cluster.ClusterMember;
import io.replog.node.cluster.Peers;
import io.replog.node.http.HttpBridgeInitializer;
import io.replog.node.log.LogStore;
import io.replog.node.log.LogStores;
import io.replog.node.log.MemoryLogStore;
import io.replog.node.role.NodeRole;
import io.replog.node.role.RoleSwitch;
import io.replog.node.metrics.AppendStats;
import io.replog.node.metrics.NodeMetrics;
import io.replog.node.server.ReadWaiters;
import io.replog.node.metrics.ErrorCounts;
import io.replog.node.security.AuthStats;
import io.replog.node.server.EventLoops;
import io.replog.node.server.ConnectionLimits;
import io.replog.node.server.FrameServerInitializer;
import io.replog.node.server.ReadGate;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running node: its log, the role it plays now (master or secondary, which can change without a restart), and
 * the two listening ports (binary protocol and HTTP bridge) whose connections always talk to the current role.
 */
public final class ReplogNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplogNode.class);
    /** How long closing waits for answers already decided (SHUTTING_DOWN and the like) to reach their clients. */
    private static final long GOODBYE_MS = 2_000;

    private final LogStore log;
    private final EventLoops loops;
    private final EventLoops ownedLoops;
    private final RoleSwitch roles;
    private final ChannelGroup connections;
    /** What the replication guards of this node's connections refused. */
    private final AuthStats auth;
    /** How the appends this node took as master ended. */
    private final AppendStats appends;
    /** Frames refused on the binary port. */
    private final ErrorCounts rejected = new ErrorCounts();
    /** READs waiting for the node to serve their from_id. */
    private final ReadWaiters readers;
    private Channel frameChannel;
    private Channel httpChannel;
    private boolean closed;
    /** The node's part of its cluster (the replication engine): replaced when a fixed role changes. */
    private ClusterMember failover;

    private ReplogNode(final LogStore log, final NodeRole initial, final EventLoops loops,
                       final EventLoops ownedLoops, final AuthStats auth, final AppendStats appends,
                       final ReadWaiters readers) {
        this.readers = readers;
        this.log = log;
        this.auth = auth;
        this.appends = appends;
        this.loops = loops;
        this.ownedLoops = ownedLoops;
        this.roles = new RoleSwitch(initial);
        this.connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
    }

    /**
     * Starts a master (node 1 of the engine, its static leader: see {@link FixedRoles}) on {@code loops}; pass null
     * to give the node event loops of its own.
     */
    public static ReplogNode master(final NodeConfig config, final EventLoops loops) {
        config.conclude();
        return master(config, loops, LogStores.open(config, true));
    }

    /**
     * Starts a master over {@code log}, already open (which the node closes with itself); pass null loops to give
     * the node event loops of its own.
     */
    public static ReplogNode master(final NodeConfig config, final EventLoops loops, final LogStore log) {
        config.conclude();
        final ReplogNode node = engine(config, FixedRoles.masterPeers(config), FixedRoles.settings(config),
            FixedRoles.leadership(config), loops, log);
        // answer nobody before the tail it may have lost is back (bounded), as a master always did
        node.failover.awaitFirstLead(config.unhealthyAfterMs() + config.heartbeatMs());
        refuseUnrepairedDamage(node, log);
        return node;
    }

    /**
     * A static master whose log was cut for damage leads only once the cut part is back (the engine waits for it):
     * it refuses to start when no secondary gave it back, and forgets the damage once repaired.
     */
    private static void refuseUnrepairedDamage(final ReplogNode node, final LogStore log) {
        final io.replog.node.log.CutDamage damage = log.damage();
        if (damage != null && log.lastId() < damage.formerEnd()) {
            final long got = log.lastId();
            node.close();
            throw new IllegalStateException("the log was damaged at " + damage.where() + " and held msg_ids up to "
                + damage.formerEnd() + " at least, but the secondaries gave back only up to msg_id " + got
                + ": refusing to start, so nothing acknowledged is dropped. What was cut is kept in "
                + damage.setAside() + ". To repair: start the secondaries that hold the rest and restart this master; "
                + "or, to accept losing msg_ids " + (got + 1) + ".." + damage.formerEnd() + ", delete the "
                + "file damage-to-take-back in the data directory and start it again");
        }
        if (damage != null) {
            LOG.warn("master: the log was damaged at {}; msg_ids {}..{} were taken back from the secondaries (the "
                + "damaged files are kept in {})", damage.where(), damage.keptId() + 1, damage.formerEnd(),
                damage.setAside());
            log.damageRepaired();
        }
    }

    /**
     * Starts a secondary (a follower of a static leader that never campaigns: see {@link FixedRoles}) on
     * {@code loops}; pass null to give the node event loops of its own.
     */
    public static ReplogNode secondary(final NodeConfig config, final EventLoops loops) {
        config.conclude();
        // no identity of its own: it takes its master's
        return secondary(config, loops, LogStores.open(config, false));
    }

    /**
     * Starts a secondary over {@code log}, already open (which the node closes with itself); pass null loops to give
     * the node event loops of its own.
     */
    public static ReplogNode secondary(final NodeConfig config, final EventLoops loops, final LogStore log) {
        config.conclude();
        return engine(config, FixedRoles.secondaryPeers(config), FixedRoles.settings(config),
            FixedRoles.leadership(config), loops, log);
    }

    /**
     * Starts a node of a failover cluster: the same command on every node, the master decided by election
     * ({@code node --id --peers}). Pass null loops to give the node event loops of its own.
     */
    public static ReplogNode failover(final NodeConfig config, final Peers peers, final ReplicaSettings settings,
                                      final EventLoops loops) {
        config.conclude();
        if (config.dataDir() != null && !NodeConfig.DEFAULT_FLUSH.equals(config.flush())) {
            // a copy counts toward w once its node reports it durable: with interval/never a node reports what
            // is only in its page cache, and a majority-acknowledged append could be lost with two machines
            throw new IllegalArgumentException("a failover node needs --flush " + NodeConfig.DEFAULT_FLUSH
                + " (fsync before a copy counts toward w); --flush " + config.flush() + " would void the guarantee "
                + "of appends acknowledged by a majority");
        }
        return engine(config, peers, settings, Leadership.elected(), loops);
    }

    /**
     * Starts a node on the replication engine, led as {@code leadership} says: elected (failover) or a static leader
     * (fixed roles: see {@link Peers#fixedMaster}, {@link Peers#fixedSecondary}). Pass null loops to give the node
     * event loops of its own.
     */
    public static ReplogNode engine(final NodeConfig config, final Peers peers, final ReplicaSettings settings,
                                    final Leadership leadership, final EventLoops loops) {
        config.conclude();
        return engine(config, peers, settings, leadership, loops, LogStores.open(config, false));
    }

    /** The same over {@code log}, already open (which the node closes with itself). */
    public static ReplogNode engine(final NodeConfig config, final Peers peers, final ReplicaSettings settings,
                                    final Leadership leadership, final EventLoops loops, final LogStore log) {
        config.conclude();
        if (log.logId() == 0 && !leadership.isStatic()) {
            // one cluster, one log: every node derives the same identity from the list of peers
            log.adoptLogId(peers.toString().hashCode() * 0x9E3779B97F4A7C15L | 1);
        } else if (log.logId() == 0 && leadership.isStaticMaster(peers.self())) {
            log.adoptLogId(MemoryLogStore.newLogId()); // a fixed master's new log; its secondaries take it on
        }
        final EventLoops l = loops != null ? loops : EventLoops.standard("node-" + peers.self());
        final AppendStats appends = new AppendStats();
        final ReadWaiters readers = new ReadWaiters();
        final ClusterMember cluster = new ClusterMember(config, peers, settings, leadership, log, l.workers(),
            appends, readers);
        final AuthStats auth = new AuthStats();
        cluster.authStats(auth, config.clusterKey() != null);
        final ReplogNode node = new ReplogNode(log, cluster.role(), l, loops == null ? l : null, auth, appends,
            readers);
        node.failover = cluster;
        node.bind(config);
        cluster.start();
        LOG.info("node {}: in a cluster of {} ({}, {}), log at msg_id {}", peers.self(), peers.size(), peers,
            leadership, log.lastId());
        return node;
    }

    private ReplogNode bind(final NodeConfig config) {
        final ConnectionLimits limits = new ConnectionLimits(roles.name(), config.maxConnections(),
            config.idleTimeoutMs());
        try {
            frameChannel = listen(new InetSocketAddress(config.bindHost(), config.port()),
                new FrameServerInitializer(roles, config.maxFrameLength(), limits, config.clusterKey(), auth, rejected,
                    readers, config.tls()));
            httpChannel = listen(new InetSocketAddress(config.bindHost(), config.httpPort()),
                new HttpBridgeInitializer(roles, config.maxFrameLength(), limits, config.tls(),
                    new NodeMetrics(roles, log, limits, appends, auth, rejected)));
            LOG.info("{}: binary protocol on {}, HTTP on {} ({} transport)", roles.name(), port(), httpPort(),
                Transport.isEpoll() ? "epoll" : "nio");
            if (config.clusterKey() == null && (config.tls() == null || !config.tls().mutual())) {
                LOG.warn("{}: replication is NOT authenticated (no --cluster-key-file, no --tls-ca): {}", roles.name(),
                    "master".equals(roles.name()) ? "whatever answers at a secondary's address is fed and "
                        + "counted toward w" : "anyone who reaches port " + port() + " can write into this log");
            } else {
                LOG.info("{}: replication authenticated with the {}", roles.name(), config.clusterKey());
            }
            if (config.tls() != null) {
                LOG.info("{}: both ports speak {}", roles.name(), config.tls());
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Channel listen(final InetSocketAddress address, final ChannelInitializer<SocketChannel> initializer) {
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(loops.boss(), loops.workers())
            .channel(Transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // a client that does not read its answers makes its connection unwritable: ReadGate stops reading it
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ReadGate.WATER_MARK)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    connections.add(ch);
                    ch.pipeline().addLast(initializer);
                }
            });
        try {
            return bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /**
     * Becomes the master of its log (which keeps its identity and msg_ids), replicating to {@code config}'s
     * secondaries. A master stays master with the new settings; appends waiting on the old role are answered.
     */
    public synchronized void becomeMaster(final NodeConfig config) {
        config.conclude();
        if (log.logId() == 0) {
            log.adoptLogId(MemoryLogStore.newLogId()); // it never followed anyone: a new log
        }
        takeOver(config, FixedRoles.masterPeers(config));
        // as a starting master: it takes appends once it took back the tail it may lack (bounded)
        failover.awaitFirstLead(config.unhealthyAfterMs() + config.heartbeatMs());
        LOG.info("node: now the master of log {} at msg_id {}", Long.toHexString(log.logId()), log.lastId());
    }

    /** Becomes a secondary of whichever master replicates its log to it; waiting appends get NOT_MASTER. */
    public synchronized void becomeSecondary(final NodeConfig config) {
        config.conclude();
        takeOver(config, FixedRoles.secondaryPeers(config));
        LOG.info("node: now a secondary of log {} at msg_id {}", Long.toHexString(log.logId()), log.lastId());
    }

    /**
     * Stops this node's cluster part (its waiting appends get NOT_MASTER, its log stays open) and
     * starts another over the same log with the fixed role {@code peers} describes, which the connections talk to
     * from then on. A node of a failover cluster has no role to be given: its cluster elects one.
     */
    private void takeOver(final NodeConfig config, final Peers peers) {
        final ClusterMember before = failover;
        if (!before.leadership().isStatic()) {
            throw new IllegalStateException("node " + before.peers().self() + " is in a failover cluster: its master "
                + "is elected, not given");
        }
        before.close(ErrorCode.NOT_MASTER, "not the master: this node is no longer the master");
        final ClusterMember next = new ClusterMember(config, peers, FixedRoles.settings(config),
            FixedRoles.leadership(config), log, loops.workers(), appends, readers);
        next.authStats(auth, config.clusterKey() != null);
        failover = next;
        roles.swap(next.role());
        next.start();
        readers.accept(roles.readableId()); // the new role serves up to another position
    }

    /** READs (flag WAIT) parked now, for tests. */
    int waitingReads() {
        return readers.waiting();
    }

    /** Cuts every accepted connection (clients, and the master's replication link on a secondary), as a network
     * failure would; the node keeps listening. For fault tests and demos. */
    public void dropConnections() {
        connections.close().awaitUninterruptibly();
    }

    /** Every accepted connection of both ports, for tests that look at a connection from the node's side. */
    ChannelGroup connections() {
        return connections;
    }

    /** The role the node plays now. */
    public NodeRole role() {
        return roles.current();
    }

    /** The node's log (whatever its role). */
    public LogStore log() {
        return log;
    }

    /** The binary protocol port actually bound. */
    public int port() {
        return ((InetSocketAddress) frameChannel.localAddress()).getPort();
    }

    /** The HTTP port actually bound. */
    public int httpPort() {
        return ((InetSocketAddress) httpChannel.localAddress()).getPort();
    }

    /**
     * Stops: no new connections; appends still queued or waiting for their write concern are answered
     * (SHUTTING_DOWN, HTTP 503) and those answers flushed before the connections close; then the log.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        final List<Channel> listeners = new ArrayList<>();
        if (frameChannel != null) {
            listeners.add(frameChannel);
        }
        if (httpChannel != null) {
            listeners.add(httpChannel);
        }
        listeners.forEach(c -> c.close().awaitUninterruptibly());
        final NodeRole role = roles.current();
        failover.close();
        sayGoodbye();
        log.close();
        if (ownedLoops != null) {
            ownedLoops.close();
        }
        LOG.info("{}: stopped", role.name());
    }

    /**
     * Lets every connection write what was already decided for it, then closes it. Answers are handed to each
     * connection's event loop as tasks; a task queued behind them runs after, and its flush-then-close completes
     * once the bytes are on the socket (or the bounded wait ends: a client that reads nothing is not waited for).
     */
    private void sayGoodbye() {
        final List<io.netty.util.concurrent.Future<?>> closed = new ArrayList<>();
        for (final Channel ch : connections) {
            final io.netty.util.concurrent.Promise<Void> done = ch.eventLoop().newPromise();
            ch.eventLoop().execute(() -> ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
                .addListener(ChannelFutureListener.CLOSE).addListener(f -> done.trySuccess(null)));
            closed.add(done);
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GOODBYE_MS);
        for (final io.netty.util.concurrent.Future<?> f : closed) {
            f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        connections.close().awaitUninterruptibly(GOODBYE_MS, TimeUnit.MILLISECONDS);
    }
}
