package io.replog.node.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.replog.node.failover.FailoverStatus;
import io.replog.node.log.LogStore;
import io.replog.node.master.Master;
import io.replog.node.replication.SecondaryHealth;
import io.replog.node.replication.SecondarySender;
import io.replog.node.role.RoleSwitch;
import io.replog.node.security.AuthStats;
import io.replog.node.server.ConnectionLimits;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.io.OutputStream;


/**
 * What a node exposes at {@code GET /metrics} (Prometheus text format, the Prometheus Java client). Every value is
 * read when scraped, from the counters and positions the node keeps anyway: nothing is recorded per message on
 * the hot path but the append latency (the sequencer publishes its per-w counts once per duty cycle; latencies go to
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

    public NodeMetrics(final RoleSwitch roles, final LogStore log, final ConnectionLimits limits,
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
            .help("REPLICATE frames with entries the master sent to each secondary, resends included")
            .callback(c -> forEachSender(roles, s -> c.call(s.batchesSent(), s.name()))).register(registry);
        GaugeWithCallback.builder().name("replog_last_msg_id")
            .help("Highest msg_id this node serves (the master: what it holds durably)")
            .callback(c -> c.call(roles.readableId())).register(registry);
        GaugeWithCallback.builder().name("replog_log_memory_bytes")
            .help("Bytes of memory the log holds (its indexes and tail cache; every entry for a log in memory)")
            .callback(c -> c.call(log.memoryBytes())).register(registry);
        GaugeWithCallback.builder().name("replog_connections")
            .help("Open connections, binary and HTTP").callback(c -> c.call(limits.open())).register(registry);
        GaugeWithCallback.builder().name("replog_read_only")
            .help("1 while the master refuses appends (starting, no quorum, disk failed), else 0")
            .callback(c -> {
                if (roles.current() instanceof Master m) {
                    c.call(m.readOnly() ? 1 : 0);
                }
            }).register(registry);
        GaugeWithCallback.builder().name("replog_pending_appends")
            .help("Appends waiting for their write concern")
            .callback(c -> {
                if (roles.current() instanceof Master m) {
                    c.call(m.pendingAppends());
                } else if (roles.current() instanceof FailoverStatus f && f.isMaster()) {
                    c.call(f.waitingAppends());
                }
            }).register(registry);
        CounterWithCallback.builder().name("replog_appends").labelNames("w")
            .help("Appends stored by the master, by write concern")
            .callback(c -> {
                if (roles.current() instanceof Master m) {
                    for (int w = 1; w <= m.maxW(); w++) {
                        c.call(m.storedWithW(w), Integer.toString(w));
                    }
                }
            }).register(registry);
        GaugeWithCallback.builder().name("replog_commit_msg_id").labelNames("w")
            .help("Highest msg_id held durably by at least w nodes")
            .callback(c -> {
                if (roles.current() instanceof Master m) {
                    for (int w = 1; w <= m.maxW(); w++) {
                        c.call(m.committed(w), Integer.toString(w));
                    }
                } else if (roles.current() instanceof FailoverStatus f && f.isMaster()) {
                    for (int w = 1; w <= f.clusterSize(); w++) {
                        c.call(f.heldBy(w), Integer.toString(w));
                    }
                }
            }).register(registry);
        GaugeWithCallback.builder().name("replog_secondary_acked_msg_id").labelNames("secondary")
            .help("Highest msg_id each secondary acknowledged (it holds everything up to it durably)")
            .callback(c -> forEachSender(roles, s -> c.call(s.ackedId(), s.name()))).register(registry);
        GaugeWithCallback.builder().name("replog_secondary_lag_messages").labelNames("secondary")
            .help("Messages the master holds that each secondary has not acknowledged")
            .callback(c -> forEachSender(roles, s -> c.call(Math.max(0, roles.readableId() - s.ackedId()),
                s.name()))).register(registry);
        GaugeWithCallback.builder().name("replog_secondary_state").labelNames("secondary", "state")
            .help("1 for each secondary's current state, 0 for the others")
            .callback(c -> forEachSender(roles, s -> {
                final SecondaryHealth now = s.health();
                for (final SecondaryHealth state : SecondaryHealth.values()) {
                    c.call(state == now ? 1 : 0, s.name(), state.name());
                }
            })).register(registry);
        failover(roles);
    }

    /**
     * A failover node's election and peers, read from what its replica's thread published at its last tick. The
     * per-w commit point and the waiting appends of its master are in the metrics above, as for a fixed master.
     */
    private void failover(final RoleSwitch roles) {
        GaugeWithCallback.builder().name("replog_failover_epoch")
            .help("The epoch this failover node is in (it grows with each election)")
            .callback(c -> ifFailover(roles, f -> c.call(f.epoch()))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_is_master")
            .help("1 while this failover node is the master, else 0: summed over the cluster, 1 once it has one")
            .callback(c -> ifFailover(roles, f -> c.call(f.isMaster() ? 1 : 0))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_commit_msg_id")
            .help("Highest msg_id this failover node knows to be committed (on a majority durably): what it serves")
            .callback(c -> ifFailover(roles, f -> c.call(f.commitId()))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_peer_connected").labelNames("peer")
            .help("1 while this failover node's link to the peer (by id) is up, else 0")
            .callback(c -> ifFailover(roles, f -> f.peerStatuses().forEach(p ->
                c.call(p.connected() ? 1 : 0, Integer.toString(p.id()))))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_peer_durable_msg_id").labelNames("peer")
            .help("On the master: highest msg_id each peer (by id) holds durably as the master does (counts toward w)")
            .callback(c -> ifFailover(roles, f -> f.peerStatuses().stream().filter(p -> p.durableId() >= 0)
                .forEach(p -> c.call(p.durableId(), Integer.toString(p.id()))))).register(registry);
        GaugeWithCallback.builder().name("replog_failover_peer_lag_messages").labelNames("peer")
            .help("On the master: messages it holds that each peer (by id) does not hold durably")
            .callback(c -> ifFailover(roles, f -> {
                final long lastId = roles.log().lastId();
                f.peerStatuses().stream().filter(p -> p.durableId() >= 0)
                    .forEach(p -> c.call(p.lag(lastId), Integer.toString(p.id())));
            })).register(registry);
    }

    private static void ifFailover(final RoleSwitch roles, final java.util.function.Consumer<FailoverStatus> f) {
        if (roles.current() instanceof FailoverStatus status) {
            f.accept(status);
        }
    }

    private static void forEachSender(final RoleSwitch roles, final java.util.function.Consumer<SecondarySender> f) {
        if (roles.current() instanceof Master m) {
            m.senders().forEach(f);
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
