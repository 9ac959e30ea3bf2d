package io.replog.node.config;

import io.replog.node.security.ClusterKey;
import io.replog.node.security.TlsSettings;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.HostPort;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a node needs to start, with fluent setters and a {@link #conclude()} step that validates them.
 * Port 0 asks the OS for a free port (tests run nodes in parallel this way).
 */
public final class NodeConfig {
    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    public static final int DEFAULT_MASTER_PORT = 7000;
    public static final int DEFAULT_MASTER_HTTP_PORT = 8000;
    public static final int DEFAULT_SECONDARY_PORT = 7001;
    public static final int DEFAULT_SECONDARY_HTTP_PORT = 8001;

    private String bindHost = DEFAULT_BIND_HOST;
    private int port = DEFAULT_MASTER_PORT;
    private int httpPort = DEFAULT_MASTER_HTTP_PORT;
    private int maxFrameLength = FrameHeader.DEFAULT_MAX_FRAME_LENGTH;
    private List<InetSocketAddress> secondaries = new ArrayList<>();
    private long delayMs;
    private ClusterKey clusterKey;
    private TlsSettings tls;
    private long heartbeatMs = DEFAULT_HEARTBEAT_MS;
    private long suspectAfterMs = DEFAULT_SUSPECT_AFTER_MS;
    private long unhealthyAfterMs = DEFAULT_UNHEALTHY_AFTER_MS;
    private int quorum;
    private long retryCapMs = DEFAULT_RETRY_CAP_MS;
    private long replicationTimeoutMs = DEFAULT_REPLICATION_TIMEOUT_MS;
    private double failRate;
    private double dropRate;
    private long maxLogBytes;
    private int maxPendingAppends = DEFAULT_MAX_PENDING_APPENDS;
    private NanoClock clock = SystemNanoClock.INSTANCE;
    private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private java.nio.file.Path dataDir;
    private String flush = DEFAULT_FLUSH;
    private long segmentBytes = DEFAULT_SEGMENT_BYTES;

    /** Flush policy by default: an append counts once fsynced, with group commit (see the README's table). */
    public static final String DEFAULT_FLUSH = "batch";
    /** Size of a log segment file: Kafka's is 1 GiB; smaller files make recovery and deletion finer-grained. */
    public static final long DEFAULT_SEGMENT_BYTES = 128L << 20;

    /** w&gt;1 appends admitted and not yet answered, at most; beyond it they are refused with OVERLOADED. */
    public static final int DEFAULT_MAX_PENDING_APPENDS = 100_000;
    /** Master → secondary heartbeat period. */
    public static final long DEFAULT_HEARTBEAT_MS = 500;
    /** No answer from a secondary for this long (3 heartbeats) makes it Suspected. */
    public static final long DEFAULT_SUSPECT_AFTER_MS = 1_500;
    /** No answer for this long (6 heartbeats) makes it Unhealthy. */
    public static final long DEFAULT_UNHEALTHY_AFTER_MS = 3_000;
    /** Longest pause between two delivery attempts to one secondary. */
    public static final long DEFAULT_RETRY_CAP_MS = 1_000;
    /** A replication request unanswered this long counts as failed: the connection is dropped and re-made. */
    public static final long DEFAULT_REPLICATION_TIMEOUT_MS = 10_000;
    /**
     * A connection with no traffic and nothing waiting for this long is closed: 10 minutes, Kafka's broker default
     * ({@code connections.max.idle.ms}). Long enough that no live client is cut between two requests; short enough
     * that connections of clients that vanished without closing (a crash, a network cut) do not pile up forever.
     */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 600_000;
    /**
     * Connections a node holds open at once, binary and HTTP together: Tomcat's default ({@code maxConnections}).
     * Every connection may buffer up to a write-buffer high water mark plus one answer, so the cap bounds memory;
     * keep it below the process's file descriptor limit so that refusals are clear answers, not accept errors.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 8_192;

    public String bindHost() {
        return bindHost;
    }

    public NodeConfig bindHost(final String host) {
        this.bindHost = host;
        return this;
    }

    public int port() {
        return port;
    }

    public NodeConfig port(final int value) {
        this.port = value;
        return this;
    }

    public int httpPort() {
        return httpPort;
    }

    public NodeConfig httpPort(final int value) {
        this.httpPort = value;
        return this;
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    public NodeConfig maxFrameLength(final int value) {
        this.maxFrameLength = value;
        return this;
    }

    public List<InetSocketAddress> secondaries() {
        return secondaries;
    }

    public NodeConfig secondaries(final List<InetSocketAddress> value) {
        this.secondaries = new ArrayList<>(value);
        return this;
    }

    public long delayMs() {
        return delayMs;
    }

    /** The cluster's shared secret; null: replication is not authenticated (anyone may write into a secondary). */
    public ClusterKey clusterKey() {
        return clusterKey;
    }

    public NodeConfig clusterKey(final ClusterKey value) {
        this.clusterKey = value;
        return this;
    }

    /** TLS on both ports and on the master's replication links; null: plain TCP. */
    public TlsSettings tls() {
        return tls;
    }

    public NodeConfig tls(final TlsSettings value) {
        this.tls = value;
        return this;
    }

    /** How long a secondary holds each replication request before storing and acknowledging it. */
    public NodeConfig delayMs(final long value) {
        this.delayMs = value;
        return this;
    }

    public long heartbeatMs() {
        return heartbeatMs;
    }

    public NodeConfig heartbeatMs(final long value) {
        this.heartbeatMs = value;
        return this;
    }

    public long suspectAfterMs() {
        return suspectAfterMs;
    }

    public NodeConfig suspectAfterMs(final long value) {
        this.suspectAfterMs = value;
        return this;
    }

    public long unhealthyAfterMs() {
        return unhealthyAfterMs;
    }

    public NodeConfig unhealthyAfterMs(final long value) {
        this.unhealthyAfterMs = value;
        return this;
    }

    /** Nodes (master included) that must be healthy for the master to take appends; 0 means a majority. */
    public int quorum() {
        return quorum == 0 ? (1 + secondaries.size()) / 2 + 1 : quorum;
    }

    public NodeConfig quorum(final int value) {
        this.quorum = value;
        return this;
    }

    public long retryCapMs() {
        return retryCapMs;
    }

    public NodeConfig retryCapMs(final long value) {
        this.retryCapMs = value;
        return this;
    }

    public long replicationTimeoutMs() {
        return replicationTimeoutMs;
    }

    public NodeConfig replicationTimeoutMs(final long value) {
        this.replicationTimeoutMs = value;
        return this;
    }

    public double failRate() {
        return failRate;
    }

    /** Fault injection of a follower: refuse this fraction of replication requests, without storing them. */
    public NodeConfig failRate(final double value) {
        this.failRate = value;
        return this;
    }

    public double dropRate() {
        return dropRate;
    }

    /** Fault injection of a follower: ignore this fraction of replication requests, unanswered. */
    public NodeConfig dropRate(final double value) {
        this.dropRate = value;
        return this;
    }

    /**
     * Bytes of messages the in-memory log may hold before appends are refused with STORAGE_FULL; 0 (default) means
     * 85% of the JVM's direct memory limit, so a full log is a clear error, not an OutOfMemoryError.
     */
    public long maxLogBytes() {
        return maxLogBytes > 0 ? maxLogBytes
            : Math.max(64L << 20, (long) (io.netty.util.internal.PlatformDependent.estimateMaxDirectMemory() * 0.85));
    }

    /** The limit as set, 0 when automatic (a log on disk then has no limit but the disk). */
    public long explicitMaxLogBytes() {
        return maxLogBytes;
    }

    public NodeConfig maxLogBytes(final long value) {
        this.maxLogBytes = value;
        return this;
    }

    /** w&gt;1 appends admitted and not yet answered (queued, or waiting for their w) before new ones are refused. */
    public int maxPendingAppends() {
        return maxPendingAppends;
    }

    public NodeConfig maxPendingAppends(final int value) {
        this.maxPendingAppends = value;
        return this;
    }

    /** The one clock the node's replication, health and timeout logic reads; tests inject their own. */
    public NanoClock clock() {
        return clock;
    }

    public NodeConfig clock(final NanoClock value) {
        this.clock = value;
        return this;
    }

    public long idleTimeoutMs() {
        return idleTimeoutMs;
    }

    /** Close a connection after this long without traffic and with nothing waiting; 0 never does. */
    public NodeConfig idleTimeoutMs(final long value) {
        this.idleTimeoutMs = value;
        return this;
    }

    public int maxConnections() {
        return maxConnections;
    }

    /** Connections (binary and HTTP together) the node holds at once; more are refused with a clear answer. */
    public NodeConfig maxConnections(final int value) {
        this.maxConnections = value;
        return this;
    }

    /** The node's data directory; null keeps the log in memory only (lost when the process ends). */
    public java.nio.file.Path dataDir() {
        return dataDir;
    }

    public NodeConfig dataDir(final java.nio.file.Path value) {
        this.dataDir = value;
        return this;
    }

    /** {@code batch}, {@code interval:MS} or {@code never}. */
    public String flush() {
        return flush;
    }

    public NodeConfig flush(final String value) {
        this.flush = value;
        return this;
    }

    public long segmentBytes() {
        return segmentBytes;
    }

    public NodeConfig segmentBytes(final long value) {
        this.segmentBytes = value;
        return this;
    }

    /** Validates; throws {@link IllegalArgumentException} naming the bad setting. */
    public NodeConfig conclude() {
        checkPort("port", port);
        checkPort("http-port", httpPort);
        if (port != 0 && port == httpPort) {
            throw new IllegalArgumentException("port and http-port must differ, both are " + port);
        }
        if (maxFrameLength < 1024 || maxFrameLength > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("max-frame-bytes must be within 1 KiB..256 MiB, got " + maxFrameLength);
        }
        if (maxLogBytes < 0) {
            throw new IllegalArgumentException("max-log-bytes must be >= 0 (0: automatic), got " + maxLogBytes);
        }
        if (segmentBytes < 4096 || segmentBytes > (1L << 30)) {
            throw new IllegalArgumentException("segment-bytes must be within 4 KiB..1 GiB, got " + segmentBytes);
        }
        if (!flush.equals("batch") && !flush.equals("never") && !flush.matches("interval:[1-9][0-9]{0,8}")) {
            throw new IllegalArgumentException("flush must be batch, interval:MS (MS >= 1) or never, got " + flush);
        }
        if (maxPendingAppends < 1) {
            throw new IllegalArgumentException("max-pending-appends must be >= 1, got " + maxPendingAppends);
        }
        if (idleTimeoutMs < 0) {
            throw new IllegalArgumentException("idle-timeout-ms must be >= 0 (0: never), got " + idleTimeoutMs);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max-connections must be >= 1, got " + maxConnections);
        }
        if (delayMs < 0) {
            throw new IllegalArgumentException("delay-ms must be >= 0, got " + delayMs);
        }
        if (heartbeatMs < 10) {
            throw new IllegalArgumentException("heartbeat-ms must be >= 10, got " + heartbeatMs);
        }
        if (suspectAfterMs < heartbeatMs || unhealthyAfterMs < suspectAfterMs) {
            throw new IllegalArgumentException("need heartbeat-ms <= suspect-after-ms <= unhealthy-after-ms, got "
                + heartbeatMs + ", " + suspectAfterMs + ", " + unhealthyAfterMs);
        }
        if (quorum < 0 || quorum > 1 + secondaries.size()) {
            throw new IllegalArgumentException("quorum must be within 1.." + (1 + secondaries.size())
                + " (0: majority), got " + quorum);
        }
        if (retryCapMs < 10) {
            throw new IllegalArgumentException("retry-cap-ms must be >= 10, got " + retryCapMs);
        }
        if (replicationTimeoutMs < heartbeatMs) {
            throw new IllegalArgumentException("replication-timeout-ms must be >= heartbeat-ms, got "
                + replicationTimeoutMs);
        }
        if (failRate < 0 || failRate >= 1 || dropRate < 0 || dropRate >= 1) {
            throw new IllegalArgumentException("fail-rate and drop-rate must be within [0, 1), got " + failRate
                + " and " + dropRate);
        }
        return this;
    }

    private static void checkPort(final String name, final int value) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException(name + " must be within 0..65535, got " + value);
        }
    }

    /** Parses {@code host:port[,host:port…]}; blanks are ignored. */
    public static List<InetSocketAddress> parseAddresses(final String list) {
        final List<InetSocketAddress> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (final String item : list.split(",")) {
            final String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            out.add(HostPort.parse(s));
        }
        return out;
    }
}
