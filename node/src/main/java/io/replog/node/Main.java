package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.protocol.FrameHeader;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code replog-node master|secondary|local}: parse flags (each also from an environment variable), start, wait
 * for SIGINT/SIGTERM, stop.
 */
@Command(name = "replog-node", mixinStandardHelpOptions = true, version = "replog 0.1.0",
    description = "A replog node: the master, a secondary, or a whole local cluster in one process.",
    subcommands = {Main.MasterCommand.class, Main.SecondaryCommand.class, Main.LocalCommand.class})
public final class Main implements Runnable {

    public static void main(final String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    /** Flags every node mode shares. */
    static final class Common {
        @Option(names = "--bind", defaultValue = "${env:REPLOG_BIND:-0.0.0.0}",
            description = "Address to listen on (env REPLOG_BIND, default ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--max-frame-bytes",
            defaultValue = "${env:REPLOG_MAX_FRAME_BYTES:-" + FrameHeader.DEFAULT_MAX_FRAME_LENGTH + "}",
            description = "Largest frame accepted, in bytes (env REPLOG_MAX_FRAME_BYTES, default ${DEFAULT-VALUE}).")
        int maxFrameBytes;

        @Option(names = "--max-log-bytes", defaultValue = "${env:REPLOG_MAX_LOG_BYTES:-0}",
            description = "Bytes of messages the in-memory log may hold; beyond it appends get STORAGE_FULL "
                + "(env REPLOG_MAX_LOG_BYTES, default 0 = 85% of the JVM's direct memory limit).")
        long maxLogBytes;
    }

    /** Limits on the connections a node accepts, in every mode. */
    static final class ConnectionFlags {
        @Option(names = "--idle-timeout-ms", defaultValue = "${env:REPLOG_IDLE_TIMEOUT_MS:-"
            + NodeConfig.DEFAULT_IDLE_TIMEOUT_MS + "}",
            description = "Close a client connection after this long with no traffic and nothing waiting; 0 = never "
                + "(env REPLOG_IDLE_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
        long idleTimeoutMs;

        @Option(names = "--max-connections", defaultValue = "${env:REPLOG_MAX_CONNECTIONS:-"
            + NodeConfig.DEFAULT_MAX_CONNECTIONS + "}",
            description = "Connections a node holds at once, binary and HTTP together; more are refused "
                + "(env REPLOG_MAX_CONNECTIONS, default ${DEFAULT-VALUE}).")
        int maxConnections;

        NodeConfig applyTo(final NodeConfig config) {
            return config.idleTimeoutMs(idleTimeoutMs).maxConnections(maxConnections);
        }
    }

    @Command(name = "master", mixinStandardHelpOptions = true,
        description = "Run the master: orders appends and replicates them to the secondaries.")
    static final class MasterCommand implements Callable<Integer> {
        @Mixin
        Common common;

        @Mixin
        ConnectionFlags connections;

        @Option(names = "--port", defaultValue = "${env:REPLOG_PORT:-7000}",
            description = "Binary protocol port (env REPLOG_PORT, default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--http-port", defaultValue = "${env:REPLOG_HTTP_PORT:-8000}",
            description = "HTTP bridge port (env REPLOG_HTTP_PORT, default ${DEFAULT-VALUE}).")
        int httpPort;

        @Option(names = "--secondaries", defaultValue = "${env:REPLOG_SECONDARIES:-}",
            description = "Comma-separated host:port of each secondary's binary port (env REPLOG_SECONDARIES).")
        String secondaries;

        @Option(names = "--heartbeat-ms", defaultValue = "${env:REPLOG_HEARTBEAT_MS:-" + NodeConfig.DEFAULT_HEARTBEAT_MS
            + "}", description = "Heartbeat period to each secondary (env REPLOG_HEARTBEAT_MS, default ${DEFAULT-VALUE}).")
        long heartbeatMs;

        @Option(names = "--suspect-after-ms", defaultValue = "${env:REPLOG_SUSPECT_AFTER_MS:-"
            + NodeConfig.DEFAULT_SUSPECT_AFTER_MS + "}",
            description = "Silence after which a secondary is Suspected (env REPLOG_SUSPECT_AFTER_MS, "
                + "default ${DEFAULT-VALUE}).")
        long suspectAfterMs;

        @Option(names = "--unhealthy-after-ms", defaultValue = "${env:REPLOG_UNHEALTHY_AFTER_MS:-"
            + NodeConfig.DEFAULT_UNHEALTHY_AFTER_MS + "}",
            description = "Silence after which a secondary is Unhealthy (env REPLOG_UNHEALTHY_AFTER_MS, "
                + "default ${DEFAULT-VALUE}).")
        long unhealthyAfterMs;

        @Option(names = "--quorum", defaultValue = "${env:REPLOG_QUORUM:-0}",
            description = "Nodes (master included) that must be up to take appends; 0 = majority (env REPLOG_QUORUM, "
                + "default ${DEFAULT-VALUE}).")
        int quorum;

        @Option(names = "--retry-cap-ms", defaultValue = "${env:REPLOG_RETRY_CAP_MS:-" + NodeConfig.DEFAULT_RETRY_CAP_MS
            + "}", description = "Longest pause between delivery attempts to a secondary (env REPLOG_RETRY_CAP_MS, "
            + "default ${DEFAULT-VALUE}).")
        long retryCapMs;

        @Option(names = "--replication-timeout-ms", defaultValue = "${env:REPLOG_REPLICATION_TIMEOUT_MS:-"
            + NodeConfig.DEFAULT_REPLICATION_TIMEOUT_MS + "}",
            description = "A replication request unanswered this long is retried over a new connection "
                + "(env REPLOG_REPLICATION_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
        long replicationTimeoutMs;

        @Override
        public Integer call() {
            final NodeConfig config = new NodeConfig().bindHost(common.bind).port(port).httpPort(httpPort)
                .maxFrameLength(common.maxFrameBytes).maxLogBytes(common.maxLogBytes)
                .secondaries(NodeConfig.parseAddresses(secondaries))
                .heartbeatMs(heartbeatMs).suspectAfterMs(suspectAfterMs).unhealthyAfterMs(unhealthyAfterMs)
                .quorum(quorum).retryCapMs(retryCapMs).replicationTimeoutMs(replicationTimeoutMs);
            connections.applyTo(config);
            return runUntilSignalled(List.of(() -> ReplogNode.master(config, null)));
        }
    }

    @Command(name = "secondary", mixinStandardHelpOptions = true,
        description = "Run a secondary: stores what the master replicates and serves reads.")
    static final class SecondaryCommand implements Callable<Integer> {
        @Mixin
        Common common;

        @Mixin
        ConnectionFlags connections;

        @Option(names = "--port", defaultValue = "${env:REPLOG_PORT:-7001}",
            description = "Binary protocol port (env REPLOG_PORT, default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--http-port", defaultValue = "${env:REPLOG_HTTP_PORT:-8001}",
            description = "HTTP bridge port (env REPLOG_HTTP_PORT, default ${DEFAULT-VALUE}).")
        int httpPort;

        @Option(names = "--delay-ms", defaultValue = "${env:REPLOG_DELAY_MS:-0}",
            description = "Hold each replication request this long before storing and acknowledging it, to show "
                + "the inconsistency window (env REPLOG_DELAY_MS, default ${DEFAULT-VALUE}).")
        long delayMs;

        @Option(names = "--fail-rate", defaultValue = "${env:REPLOG_FAIL_RATE:-0}",
            description = "Fault injection: answer an error, after storing, to this fraction of replication "
                + "requests (env REPLOG_FAIL_RATE, default ${DEFAULT-VALUE}).")
        double failRate;

        @Option(names = "--drop-rate", defaultValue = "${env:REPLOG_DROP_RATE:-0}",
            description = "Fault injection: drop the master's connection on this fraction of replication requests "
                + "(env REPLOG_DROP_RATE, default ${DEFAULT-VALUE}).")
        double dropRate;

        @Override
        public Integer call() {
            final NodeConfig config = new NodeConfig().bindHost(common.bind).port(port).httpPort(httpPort)
                .maxFrameLength(common.maxFrameBytes).maxLogBytes(common.maxLogBytes).delayMs(delayMs)
                .failRate(failRate).dropRate(dropRate);
            connections.applyTo(config);
            return runUntilSignalled(List.of(() -> ReplogNode.secondary(config, null)));
        }
    }

    @Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run a master and its secondaries in one process on loopback: the quickest way to try replog.")
    static final class LocalCommand implements Callable<Integer> {
        @Option(names = "--bind", defaultValue = "${env:REPLOG_BIND:-127.0.0.1}",
            description = "Address to listen on (env REPLOG_BIND, default ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--port", defaultValue = "${env:REPLOG_PORT:-7000}",
            description = "Master's binary port; secondary i listens on port+i (default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--http-port", defaultValue = "${env:REPLOG_HTTP_PORT:-8000}",
            description = "Master's HTTP port; secondary i listens on http-port+i (default ${DEFAULT-VALUE}).")
        int httpPort;

        @Option(names = "--secondaries", defaultValue = "${env:REPLOG_LOCAL_SECONDARIES:-2}",
            description = "How many secondaries (env REPLOG_LOCAL_SECONDARIES, default ${DEFAULT-VALUE}).")
        int secondaries;

        @Option(names = "--delays", split = ",", defaultValue = "${env:REPLOG_DELAYS:-0}",
            description = "Delay in ms of each secondary, comma-separated; the last value repeats "
                + "(env REPLOG_DELAYS, default ${DEFAULT-VALUE}). Example: --delays 0,3000")
        List<Long> delays;

        @Option(names = "--max-frame-bytes",
            defaultValue = "${env:REPLOG_MAX_FRAME_BYTES:-" + FrameHeader.DEFAULT_MAX_FRAME_LENGTH + "}",
            description = "Largest frame accepted, in bytes (default ${DEFAULT-VALUE}).")
        int maxFrameBytes;

        @Mixin
        ConnectionFlags connections;

        @Override
        public Integer call() {
            if (secondaries < 0) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--secondaries must be >= 0");
            }
            final LocalCluster.Settings settings = new LocalCluster.Settings(bind, port, httpPort, secondaries,
                delays.isEmpty() ? List.of(0L) : delays, maxFrameBytes, connections.idleTimeoutMs,
                connections.maxConnections);
            return runUntilSignalled(List.of(() -> LocalCluster.start(settings)));
        }
    }

    /** Something that starts and can be stopped. */
    @FunctionalInterface
    interface Starter {
        AutoCloseable start();
    }

    private static int runUntilSignalled(final List<Starter> starters) {
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        final List<AutoCloseable> running = new ArrayList<>();
        try {
            for (final Starter s : starters) {
                running.add(s.start());
            }
        } catch (RuntimeException e) {
            System.err.println("replog-node: " + e.getMessage());
            closeAll(running);
            return 1;
        }
        barrier.await();
        closeAll(running);
        return 0;
    }

    private static void closeAll(final List<AutoCloseable> running) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("replog-node: error while stopping: " + e);
            }
        }
    }
}
