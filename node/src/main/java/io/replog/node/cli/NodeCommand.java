package io.replog.node.cli;

import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.cluster.Peers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    private static final Logger LOG = LoggerFactory.getLogger(NodeCommand.class);

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

    @Option(names = "--http-peers", defaultValue = "${env:REPLOG_HTTP_PEERS}",
        description = "Where HTTP clients reach each node, as id@host:port,… for every node of --peers (env "
            + "REPLOG_HTTP_PEERS; default: each node's host in --peers with its binary port + 1000). A node that "
            + "is not master redirects POST /append to the master's (307). Name it when the HTTP ports differ from "
            + "that or clients reach the nodes by other names (containers, a proxy).")
    String httpPeers;

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

    @Mixin
    FaultFlags faults;

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
            cluster = Peers.parse(id, peers, httpPeers);
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
        if ((httpPeers == null || httpPeers.isBlank()) && httpPort != 0 && httpPort != port + Peers.HTTP_PORT_OFFSET) {
            LOG.warn("node {}: HTTP on {}, but without --http-peers the other nodes send HTTP clients to {}: name "
                + "every node's HTTP address with --http-peers", id, httpPort, cluster.httpHostPort(id));
        }
        final NodeConfig config = faults.applyTo(storage.applyTo(connections.applyTo(limits.applyTo(new NodeConfig()
            .bindHost(bind).port(port).httpPort(httpPort != 0 ? httpPort : port + Peers.HTTP_PORT_OFFSET),
            limits.maxLogBytes)), storage.nodeDir("node", port)));
        return Lifecycle.runUntilSignalled(() -> ReplogNode.failover(security.applyTo(config), cluster, settings,
            null));
    }
}
