package io.replog.node.cli;

import io.replog.node.LocalCluster;
import io.replog.node.config.NodeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.replog.node.ReplogNode;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.cluster.Peers;
import io.replog.node.security.ClusterKey;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code replog-node local}: a master and its secondaries in one process. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run a master and its secondaries in one process on loopback: the quickest way to try replog.")
public final class LocalCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "${env:REPLOG_BIND:-127.0.0.1}",
        description = "Address to listen on (env REPLOG_BIND, default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "${env:REPLOG_PORT:-" + NodeConfig.DEFAULT_MASTER_PORT + "}",
        description = "Master's binary port; secondary i listens on port+i (env REPLOG_PORT, "
            + "default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--http-port", defaultValue = "${env:REPLOG_HTTP_PORT:-" + NodeConfig.DEFAULT_MASTER_HTTP_PORT
        + "}", description = "Master's HTTP port; secondary i listens on http-port+i (env REPLOG_HTTP_PORT, "
        + "default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--secondaries", defaultValue = "${env:REPLOG_LOCAL_SECONDARIES:-2}",
        description = "How many secondaries (env REPLOG_LOCAL_SECONDARIES, default ${DEFAULT-VALUE}).")
    int secondaries;

    @Option(names = "--delays", split = ",", defaultValue = "${env:REPLOG_DELAYS:-0}",
        description = "Delay in ms of each secondary (with --failover: of each node, 1 to 3, while it follows), "
            + "comma-separated; the last value repeats (env REPLOG_DELAYS, default ${DEFAULT-VALUE}). "
            + "Example: --delays 0,3000")
    List<Long> delays;

    @Option(names = "--failover", defaultValue = "${env:REPLOG_LOCAL_FAILOVER:-false}",
        description = "Run three failover nodes instead (the node command: they elect their master) on port, port+1, "
            + "port+2 (env REPLOG_LOCAL_FAILOVER).")
    boolean failover;

    @Mixin
    LimitFlags limits;

    @Mixin
    ConnectionFlags connections;

    @Mixin
    MasterFlags master;

    @Mixin
    StorageFlags storage;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (secondaries < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--secondaries must be >= 0");
        }
        if (failover) {
            return Lifecycle.runUntilSignalled(this::startFailover);
        }
        // every node of the process draws on the same memory: each gets its share of a given log limit
        final long share = limits.maxLogBytes / (1 + secondaries);
        final LocalCluster.Settings settings = new LocalCluster.Settings(bind, port, httpPort, secondaries,
            delays.isEmpty() ? List.of(0L) : delays, limits.maxFrameBytes,
            config -> connections.applyTo(limits.applyTo(storage.applyTo(config, null), share)), master::applyTo,
            storage.inMemory ? null : storage.localRoot());
        return Lifecycle.runUntilSignalled(() -> LocalCluster.start(settings));
    }

    /** Three {@code node}s on loopback, each with its own directory under the local data root. */
    private AutoCloseable startFailover() {
        final String list = threeNodes(port);
        final String http = threeNodes(httpPort);
        final List<ReplogNode> nodes = new ArrayList<>();
        // as for fixed roles: a key made for this run, so only these three nodes replicate to one another
        final ClusterKey key = ClusterKey.random();
        try {
            for (int id = 1; id <= 3; id++) {
                final NodeConfig config = connections.applyTo(limits.applyTo(storage.applyTo(new NodeConfig()
                    .bindHost(bind).port(port + id - 1).httpPort(httpPort + id - 1).clusterKey(key)
                    .delayMs(delayOf(id)),
                    storage.inMemory ? null : storage.localRoot().resolve("node-" + id)), limits.maxLogBytes / 3));
                nodes.add(ReplogNode.failover(config, Peers.parse(id, list, http), ReplicaSettings.defaults(), null));
            }
        } catch (RuntimeException e) {
            nodes.forEach(ReplogNode::close);
            throw e;
        }
        return () -> nodes.forEach(ReplogNode::close);
    }

    /** Node {@code id}'s value of --delays: one per node, the last repeating, as for the secondaries. */
    private long delayOf(final int id) {
        return delays.isEmpty() ? 0 : delays.get(Math.min(id, delays.size()) - 1);
    }

    /** {@code 1@bind:first,2@bind:first+1,3@bind:first+2}. */
    private String threeNodes(final int first) {
        return "1@" + bind + ":" + first + ",2@" + bind + ":" + (first + 1) + ",3@" + bind + ":" + (first + 2);
    }
}
