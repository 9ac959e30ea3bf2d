package io.replog.bench;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.replog.node.metrics.LatencyHistogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What recording one append's latency costs the thread that answers it: replog's per-thread {@link LatencyHistogram}
 * against the Prometheus client's own Histogram (shared atomics per observation), with one thread and with two
 * answering at once (the replica's thread and a reply's event loop). Why the first exists.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LatencyRecordingBenchmark {
    private final LatencyHistogram striped = new LatencyHistogram("replog_bench_seconds", "bench", "w", 15);
    private final Histogram prometheus = Histogram.builder().name("replog_bench_prometheus_seconds").help("bench")
        .labelNames("w").classicOnly()
        .classicUpperBounds(0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10)
        .build();
    private final DistributionDataPoint w2 = prometheus.labelValues("2");
    /** A spread of latencies around the usual ones, so the bucket search is not always the first step. */
    private static final long[] NANOS = {80_000, 120_000, 300_000, 450_000, 900_000, 2_000_000, 150_000, 60_000};

    @State(Scope.Thread)
    public static class Cursor {
        int i;

        long nextNanos() {
            return NANOS[i++ & (NANOS.length - 1)];
        }
    }

    @Benchmark
    public void stripedOneThread(final Cursor c) {
        striped.record(2, c.nextNanos());
    }

    @Benchmark
    public void prometheusOneThread(final Cursor c) {
        w2.observe(c.nextNanos() / 1e9);
    }

    @Benchmark
    @Threads(2)
    public void stripedTwoThreads(final Cursor c) {
        striped.record(2, c.nextNanos());
    }

    @Benchmark
    @Threads(2)
    public void prometheusTwoThreads(final Cursor c) {
        w2.observe(c.nextNanos() / 1e9);
    }
}
