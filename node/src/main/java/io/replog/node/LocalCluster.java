package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.node.security.ClusterKey;
import io.replog.node.server.EventLoops;
import io.replog.protocol.FrameHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A master and its secondaries in one process, sharing one set of event loops: {@code replog-node local}, and the
 * cluster the tests and benchmarks start. Secondaries start first so the master finds them at once.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

    /**
     * @param port         master's binary port; secondary i gets port+i (0: every node takes an ephemeral port)
     * @param httpPort     likewise for HTTP
     * @param delaysMs     delay of each secondary; the last value repeats for the rest
     * @param everyNode    applied to every node's configuration (limits)
     * @param masterOnly   applied to the master's configuration after that (health timings, quorum)
     * @param dataRoot     a sub-directory per node ({@code master}, {@code secondary-1}, …) holds its log; null keeps
     *                     every log in memory
     */
    public record Settings(String bind, int port, int httpPort, int secondaries, List<Long> delaysMs,
                           int maxFrameLength, UnaryOperator<NodeConfig> everyNode,
                           UnaryOperator<NodeConfig> masterOnly, Path dataRoot) {
        public Settings(final String bind, final int port, final int httpPort, final int secondaries,
                        final List<Long> delaysMs, final int maxFrameLength) {
            this(bind, port, httpPort, secondaries, delaysMs, maxFrameLength, UnaryOperator.identity(),
                UnaryOperator.identity(), null);
        }

        /** With the given idle timeout and connection cap on every node. */
        public Settings(final String bind, final int port, final int httpPort, final int secondaries,
                        final List<Long> delaysMs, final int maxFrameLength, final long idleTimeoutMs,
                        final int maxConnections) {
            this(bind, port, httpPort, secondaries, delaysMs, maxFrameLength,
                config -> config.idleTimeoutMs(idleTimeoutMs).maxConnections(maxConnections),
                UnaryOperator.identity(), null);
        }

        /** Ephemeral ports on loopback, no delays: for tests. */
        public static Settings ephemeral(final int secondaries, final Long... delaysMs) {
            return new Settings("127.0.0.1", 0, 0, secondaries, delaysMs.length == 0 ? List.of(0L) : List.of(delaysMs),
                FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
        }

        /** The same cluster with {@code tuning} applied to the master's configuration too. */
        public Settings withMaster(final UnaryOperator<NodeConfig> tuning) {
            return new Settings(bind, port, httpPort, secondaries, delaysMs, maxFrameLength, everyNode,
                config -> tuning.apply(masterOnly.apply(config)), dataRoot);
        }

        /** The same cluster keeping each node's log on disk under {@code root}. */
        public Settings onDisk(final Path root) {
            return new Settings(bind, port, httpPort, secondaries, delaysMs, maxFrameLength, everyNode, masterOnly,
                root);
        }

        Path dirOf(final String node) {
            return dataRoot == null ? null : dataRoot.resolve(node);
        }

        long delayOf(final int secondary) {
            return delaysMs.get(Math.min(secondary, delaysMs.size() - 1));
        }
    }

    private final EventLoops loops;
    private final List<ReplogNode> secondaries;
    private final ReplogNode master;

    private LocalCluster(final EventLoops loops, final List<ReplogNode> secondaries, final ReplogNode master) {
        this.loops = loops;
        this.secondaries = secondaries;
        this.master = master;
    }

    public static LocalCluster start(final Settings settings) {
        final EventLoops loops = EventLoops.standard("local");
        final List<ReplogNode> secondaries = new ArrayList<>();
        // every node of the process draws on the same direct memory: each gets its share of the automatic limit
        final long logShare = new NodeConfig().maxLogBytes() / (1 + settings.secondaries());
        // one process, one secret: its nodes authenticate their replication like any cluster's
        final ClusterKey key = ClusterKey.random();
        try {
            final List<InetSocketAddress> addresses = new ArrayList<>();
            for (int i = 1; i <= settings.secondaries(); i++) {
                final ReplogNode node = ReplogNode.secondary(settings.everyNode().apply(new NodeConfig()
                    .clusterKey(key)
                    .bindHost(settings.bind())
                    .port(settings.port() == 0 ? 0 : settings.port() + i)
                    .httpPort(settings.httpPort() == 0 ? 0 : settings.httpPort() + i)
                    .maxFrameLength(settings.maxFrameLength())
                    .maxLogBytes(settings.dataRoot() == null ? logShare : 0)
                    .dataDir(settings.dirOf("secondary-" + i))
                    .delayMs(settings.delayOf(i - 1))), loops);
                secondaries.add(node);
                addresses.add(new InetSocketAddress(loopbackFor(settings.bind()), node.port()));
            }
            final ReplogNode master = ReplogNode.master(settings.masterOnly().apply(settings.everyNode().apply(
                new NodeConfig()
                    .clusterKey(key)
                    .bindHost(settings.bind())
                    .port(settings.port())
                    .httpPort(settings.httpPort())
                    .maxFrameLength(settings.maxFrameLength())
                    .maxLogBytes(settings.dataRoot() == null ? logShare : 0)
                    .dataDir(settings.dirOf("master"))
                    .secondaries(addresses))), loops);
            final LocalCluster cluster = new LocalCluster(loops, secondaries, master);
            cluster.awaitWritable();
            LOG.info("local cluster: master on {} (HTTP {}), secondaries on {}", master.port(), master.httpPort(),
                secondaries.stream().map(n -> n.port() + " (HTTP " + n.httpPort() + ")").toList());
            return cluster;
        } catch (RuntimeException e) {
            secondaries.forEach(ReplogNode::close);
            loops.close();
            throw e;
        }
    }

    /** The master takes appends once its secondaries answered (quorum); on loopback that takes milliseconds. */
    private void awaitWritable() {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (master.role().status().readOnlyReason() != null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        final String readOnly = master.role().status().readOnlyReason();
        if (readOnly != null) {
            LOG.warn("local cluster: the master is still read-only ({})", readOnly);
        }
    }

    private static String loopbackFor(final String bind) {
        return "0.0.0.0".equals(bind) ? "127.0.0.1" : bind;
    }

    public ReplogNode master() {
        return master;
    }

    public List<ReplogNode> secondaries() {
        return secondaries;
    }

    public EventLoops loops() {
        return loops;
    }

    @Override
    public void close() {
        master.close();
        secondaries.forEach(ReplogNode::close);
        loops.close();
    }
}
