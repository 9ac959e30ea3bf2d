package io.replog.node.cli;

import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code replog-node master}. */
@Command(name = "master", mixinStandardHelpOptions = true,
    description = "Run the master: orders appends and replicates them to the secondaries.")
public final class MasterCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "${env:REPLOG_BIND:-" + NodeConfig.DEFAULT_BIND_HOST + "}",
        description = "Address to listen on (env REPLOG_BIND, default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "${env:REPLOG_PORT:-" + NodeConfig.DEFAULT_MASTER_PORT + "}",
        description = "Binary protocol port (env REPLOG_PORT, default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--http-port", defaultValue = "${env:REPLOG_HTTP_PORT:-" + NodeConfig.DEFAULT_MASTER_HTTP_PORT
        + "}", description = "HTTP bridge port (env REPLOG_HTTP_PORT, default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--secondaries", defaultValue = "${env:REPLOG_SECONDARIES:-}",
        description = "Comma-separated host:port of each secondary's binary port (env REPLOG_SECONDARIES).")
    String secondaries;

    @Mixin
    LimitFlags limits;

    @Mixin
    ConnectionFlags connections;

    @Mixin
    StorageFlags storage;

    @Mixin
    SecurityFlags security;

    @Mixin
    MasterFlags master;

    @Override
    public Integer call() {
        final NodeConfig config = storage.applyTo(connections.applyTo(master.applyTo(limits.applyTo(new NodeConfig().bindHost(bind).port(port)
            .httpPort(httpPort).secondaries(NodeConfig.parseAddresses(secondaries)), limits.maxLogBytes))), storage.nodeDir("master", port));
        // the key is read inside: a refused key file ends the process with its message, like any start failure
        return Lifecycle.runUntilSignalled(() -> ReplogNode.master(security.applyTo(config), null));
    }
}
