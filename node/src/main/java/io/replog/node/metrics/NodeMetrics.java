package io.replog.node.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.replog.node.log.LogStore;
import io.replog.node.security.AuthStats;
import io.replog.node.status.NodeStatus;
import io.replog.node.status.NodeStatusSource;
import io.replog.node.status.PeerState;
import io.replog.node.status.PeerStatus;
import io.replog.node.server.ConnectionLimits;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.io.OutputStream;


/**
 * What a node exposes at {@code GET /metrics} (Prometheus text format, the Prometheus Java client). Every value is
 * read when scraped, from the counters and positions the node keeps anyway: nothing is recorded per message on
 * the hot path but the append latency (per-w counts are kept as appends are answered; latencies go to
 * a per-thread {@link LatencyHistogram}; fsyncs are few). One registry per node, so the nodes
 * of one process ({@code local}, tests) do not mix.
 */
public final class NodeMetrics {
    /**
     * The JVM's metrics, registered once per process: their registration adds GC listeners that are never removed,
     * so one per node would keep every stopped node (and its log) reachable.
     */
    private static final PrometheusRegistry JVM = jvmRegistry();

    /**
     * Where scrapes run: one thread for the process, off the event loops (a scrape of the JVM's metrics takes
     * milliseconds). Each scrape holds its connection's reads, so at most one per connection waits here.
     */
    public static final Executor SCRAPES = Executors.newSingleThreadExecutor(new DefaultThreadFactory(
        "replog-metrics", true));

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);

    public NodeMetrics(final NodeStatusSource node, final LogStore log, final ConnectionLimits limits,
                       final AppendStats appends, final AuthStats auth, final ErrorCounts rejected) {
        CounterWithCallback.builder().name("replog_append_errors").labelNames("reason")
            .help("Appends refused or answered with an error, by error code")
            .callback(c -> appends.errors().forEach((reason, count) -> c.call(count, reason))).register(registry);
        final LatencyHistogram latency = appends.latency();
        registry.register(latency::snapshot);
        CounterWithCallback.builder().name("replog_rejected_frames").labelNames("reason")
            .help("Frames refused on the binary port: by the error code answered, and unauthorized replication")
            .callback(c -> {
                rejected.forEach((reason, count) -> c.call(count, reason));
                c.call(auth.refusedFrames(), "unauthorized");
            }).register(registry);
        GaugeWithCallback.builder().name("replog_log_bytes")
            .help("Bytes the log's entries take: its segment files on disk, or its memory for --in-memory")
            .callback(c -> c.call(log.sizeBytes())).register(registry);
        final Histogram fsyncLatency = Histogram.builder().name("replog_fsync_latency_seconds")
            .help("Duration of each fsync of the log's files").classicOnly()
            .classicUpperBounds(0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1,
                0.25, 0.5, 1)
            .register(registry);
        final Histogram fsyncBatch = Histogram.builder().name("replog_fsync_batch_messages")
            .help("Messages each fsync of the flusher (or the interval timer) made durable").classicOnly()
            .classicUpperBounds(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 50_000)
            .register(registry);
        log.fsyncObserver((nanos, messages) -> {
            fsyncLatency.observe(nanos / 1e9);
            if (messages > 0) {
                fsyncBatch.observe(messages);
            }
        });
        CounterWithCallback.builder().name("replog_replicate_batches").labelNames("secondary")
            .help("Replication batches with entries the master sent to each secondary, resends included")
            .callback(c -> secondaries(node, p -> {
                if (p.batchesSent() >= 0) {
                    c.call(p.batchesSent(), p.address());
                }
            })).register(registry);
        GaugeWithCallback.builder().name("replog_last_msg_id")
            .help("Highest msg_id this node serves (fixed roles: what it holds durably; failover: what is committed)")
            .callback(c -> c.call(node.status().readableId())).register(registry);
        GaugeWithCallback.builder().name("replog_log_memory_bytes")
            .help("Bytes of memory the log holds (its indexes and tail cache; every entry for a log in memory)")
            .callback(c -> c.call(log.memoryBytes())).register(registry);
        GaugeWithCallback.builder().name("replog_connections")
            .help("Open connections, binary and HTTP").callback(c -> c.call(limits.open())).register(registry);
        GaugeWithCallback.builder().name("replog_read_only")
            .help("1 while the master refuses appends (starting, no quorum, disk failed), else 0")
            .callback(c -> ifMaster(node, s -> c.call(s.readOnly() ? 1 : 0))).register(registry);
        GaugeWithCallback.builder().name("replog_pending_appends")
            .help("Appends waiting for their write concern")
            .callback(c -> ifMaster(node, s -> c.call(s.waitingAppends()))).register(registry);
        CounterWithCallback.builder().name("replog_appends").labelNames("w")
            .help("Appends stored by the master, by write concern")
            .callback(c -> ifMaster(node, s -> byW(s.storedByW(), c::call))).register(registry);
        GaugeWithCallback.builder().name("replog_commit_msg_id").labelNames("w")
            .help("Highest msg_id held durably by at least w nodes")
            .callback(c -> ifMaster(node, s -> byW(s.committedByW(), c::call))).register(registry);
        GaugeWithCallback.builder().name("replog_secondary_acked_msg_id").labelNames("secondary")
            .help("Highest msg_id each secondary acknowledged (it holds everything up to it durably)")
            .callback(c -> secondaries(node, p -> c.call(p.ackedId(), p.address()))).register(registry);
        GaugeWithCallback.builder().name("replog_secondary_lag_messages").labelNames("secondary")
            .help("Messages the master holds that each secondary has not acknowledged")
            .callback(c -> secondaries(node, p -> c.call(p.lag(), p.address()))).register(registry);
        GaugeWithCallback.builder().name("replog_secondary_state").labelNames("secondary", "state")
            .help("1 for each secondary's current state, 0 for the others")
            .callback(c -> secondaries(node, p -> {
                for (final PeerState state : PeerState.values()) {
                    c.call(state == p.state() ? 1 : 0, p.address(), state.name());
                }
            })).register(registry);
        failover(node);
    }

    /**
     * A failover node's election and peers. The per-w commit point, the waiting appends and the per-secondary
     * families of its master are in the metrics above, as for a fixed master.
     */
    private void failover(final NodeStatusSource node) {
        GaugeWithCallback.builder().name("replog_failover_epoch")
            .help("The epoch this failover node is in (it grows with each election)")
            .callback(c -> ifFailover(node, s -> c.call(s.epoch()))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_is_master")
            .help("1 while this failover node is the master, else 0: summed over the cluster, 1 once it has one")
            .callback(c -> ifFailover(node, s -> c.call(s.isMaster() ? 1 : 0))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_commit_msg_id")
            .help("Highest msg_id this failover node knows to be committed (on a majority durably): what it serves")
            .callback(c -> ifFailover(node, s -> c.call(s.readableId()))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_peer_connected").labelNames("peer")
            .help("1 while this failover node's link to the peer (by id) is up, else 0")
            .callback(c -> ifFailover(node, s -> s.peers().forEach(p ->
                c.call(p.connected() ? 1 : 0, Integer.toString(p.id()))))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_peer_durable_msg_id").labelNames("peer")
            .help("On the master: highest msg_id each peer (by id) holds durably as the master does (counts toward w)")
            .callback(c -> ifFailover(node, s -> s.peers().stream().filter(p -> p.ackedId() >= 0)
                .forEach(p -> c.call(p.ackedId(), Integer.toString(p.id()))))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_peer_lag_messages").labelNames("peer")
            .help("On the master: messages it holds that each peer (by id) does not hold durably")
            .callback(c -> ifFailover(node, s -> s.peers().stream().filter(p -> p.lag() >= 0)
                .forEach(p -> c.call(p.lag(), Integer.toString(p.id()))))).register(registry);
    }

    private static void ifFailover(final NodeStatusSource node, final Consumer<NodeStatus> f) {
        final NodeStatus s = node.status();
        if (s.mode() == NodeStatus.Mode.FAILOVER) {
            f.accept(s);
        }
    }

    private static void ifMaster(final NodeStatusSource node, final Consumer<NodeStatus> f) {
        final NodeStatus s = node.status();
        if (s.isMaster()) {
            f.accept(s);
        }
    }

    /** A master's peers whose position it tracks (its secondaries), in either mode. */
    private static void secondaries(final NodeStatusSource node, final Consumer<PeerStatus> f) {
        final NodeStatus s = node.status();
        if (s.isMaster()) {
            s.peers().stream().filter(p -> p.ackedId() >= 0 && p.address() != null).forEach(f);
        }
    }

    /** Calls {@code point} with each value of a per-w list (index w-1) and its w label. */
    private static void byW(final List<Long> values, final BiConsumer<Double, String[]> point) {
        for (int w = 1; w <= values.size(); w++) {
            point.accept((double) values.get(w - 1), new String[] {Integer.toString(w)});
        }
    }

    /** The content type of {@link #write}. */
    public String contentType() {
        return writer.getContentType();
    }

    /** This node's metrics (not the JVM's) as they are now, for readers other than the scrape (the live page). */
    public MetricSnapshots snapshot() {
        return registry.scrape();
    }

    /** Writes every metric, this node's and the JVM's, in the Prometheus text format. */
    public void write(final OutputStream out) throws IOException {
        final MetricSnapshots.Builder all = MetricSnapshots.builder();
        registry.scrape().forEach(all::metricSnapshot);
        JVM.scrape().forEach(all::metricSnapshot);
        writer.write(out, all.build());
    }

    private static PrometheusRegistry jvmRegistry() {
        final PrometheusRegistry jvm = new PrometheusRegistry();
        JvmMetrics.builder().register(jvm);
        return jvm;
    }

}
