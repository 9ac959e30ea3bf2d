package io.replog.node.cli;

import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.failover.Peers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code replog-node node --id N --peers …}: one node of a failover cluster. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one node of a failover cluster: every node runs this command with the same --peers and its "
        + "own --id; the nodes elect the master among themselves and elect another when it fails.")
public final class NodeCommand implements Callable<Integer> {
    @Option(names = "--id", defaultValue = "${env:REPLOG_NODE_ID:-0}",
        description = "This node's id among --peers (env REPLOG_NODE_ID). Required.")
    int id;

    @Option(names = "--peers", defaultValue = "${env:REPLOG_PEERS}",
        description = "Every node of the cluster, this one included, as id@host:port,… with the binary ports "
            + "(env REPLOG_PEERS). Example: 1@10.0.0.1:7000,2@10.0.0.2:7000,3@10.0.0.3:7000")
    String peers;

    @Option(names = "--bind", defaultValue = "${env:REPLOG_BIND:-" + NodeConfig.DEFAULT_BIND_HOST + "}",
        description = "Address to listen on (env REPLOG_BIND, default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "0",
        description = "Binary protocol port: this node's port in --peers (given here too, it must match).")
    int port;

    @Option(names = "--http-port", defaultValue = "${env:REPLOG_HTTP_PORT:-0}",
        description = "HTTP bridge port (env REPLOG_HTTP_PORT; default: the binary port + 1000).")
    int httpPort;

    @Option(names = "--election-timeout-ms", split = "\\.\\.", defaultValue = "${env:REPLOG_ELECTION_TIMEOUT_MS:-150..300}",
        description = "A node that hears no master for a random time in MIN..MAX ms asks for votes "
            + "(env REPLOG_ELECTION_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    long[] electionTimeoutMs;

    @Option(names = "--peer-heartbeat-ms", defaultValue = "${env:REPLOG_PEER_HEARTBEAT_MS:-50}",
        description = "How often the master tells every node it is there, at most half the shortest election "
            + "timeout (env REPLOG_PEER_HEARTBEAT_MS, default ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @Mixin
    LimitFlags limits;

    @Mixin
    ConnectionFlags connections;

    @Mixin
    StorageFlags storage;

    @Mixin
    SecurityFlags security;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        final Peers cluster;
        final ReplicaSettings settings;
        try {
            if (id < 1 || peers == null || peers.isBlank()) {
                throw new IllegalArgumentException("--id and --peers are required (or REPLOG_NODE_ID and REPLOG_PEERS),"
                    + " e.g. --id 1 --peers 1@10.0.0.1:7000,2@10.0.0.2:7000,3@10.0.0.3:7000");
            }
            cluster = Peers.parse(id, peers);
            if (electionTimeoutMs.length != 2) {
                throw new IllegalArgumentException("--election-timeout-ms is MIN..MAX, e.g. 150..300");
            }
            settings = new ReplicaSettings(electionTimeoutMs[0], electionTimeoutMs[1], heartbeatMs, 1024,
                limits.maxPendingAppends);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        final int peersPort = cluster.address(id).getPort();
        if (port != 0 && port != peersPort) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port " + port + " differs from node "
                + id + "'s port in --peers (" + peersPort + ")");
        }
        final int port = peersPort;
        final NodeConfig config = storage.applyTo(connections.applyTo(limits.applyTo(new NodeConfig().bindHost(bind)
            .port(port).httpPort(httpPort != 0 ? httpPort : port + 1000), limits.maxLogBytes)),
            storage.nodeDir("node", port));
        return Lifecycle.runUntilSignalled(() -> ReplogNode.failover(security.applyTo(config), cluster, settings,
            null));
    }
}
