package io.replog.node.cli;

import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code replog-node secondary}. */
@Command(name = "secondary", mixinStandardHelpOptions = true,
    description = "Run a secondary: stores what the master replicates and serves reads.")
public final class SecondaryCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "${env:REPLOG_BIND:-" + NodeConfig.DEFAULT_BIND_HOST + "}",
        description = "Address to listen on (env REPLOG_BIND, default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "${env:REPLOG_PORT:-" + NodeConfig.DEFAULT_SECONDARY_PORT + "}",
        description = "Binary protocol port (env REPLOG_PORT, default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--http-port", defaultValue = "${env:REPLOG_HTTP_PORT:-" + NodeConfig.DEFAULT_SECONDARY_HTTP_PORT
        + "}", description = "HTTP bridge port (env REPLOG_HTTP_PORT, default ${DEFAULT-VALUE}).")
    int httpPort;

    @Mixin
    LimitFlags limits;

    @Mixin
    ConnectionFlags connections;

    @Mixin
    StorageFlags storage;

    @Mixin
    SecurityFlags security;

    @Mixin
    FaultFlags secondary;

    @Override
    public Integer call() {
        final NodeConfig config = storage.applyTo(connections.applyTo(secondary.applyTo(limits.applyTo(new NodeConfig().bindHost(bind).port(port)
            .httpPort(httpPort), limits.maxLogBytes))), storage.nodeDir("secondary", port));
        // the key is read inside: a refused key file ends the process with its message, like any start failure
        return Lifecycle.runUntilSignalled(() -> ReplogNode.secondary(security.applyTo(config), null));
    }
}
