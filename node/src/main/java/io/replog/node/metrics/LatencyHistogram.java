package io.replog.node.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A latency histogram by write concern for a path that answers hundreds of thousands of appends a second from a few
 * threads (the replica's thread, the log's flusher, event loops). The Prometheus client's own Histogram
 * does several shared atomic adds per observation and takes a lock while a scrape runs; here each recording thread
 * owns a stripe of bucket counters that only it writes (an ordered store, no CAS, no lock, no allocation), and a
 * scrape adds the stripes up into the client's {@link HistogramSnapshot}. A scrape may see one observation's bucket
 * before its sum: harmless for a rate over seconds.
 */
public final class LatencyHistogram {
    /** Upper bounds in seconds: from a loopback round trip to a write concern stuck behind a dead secondary. */
    static final double[] BOUNDS_SECONDS = {
        0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
        Double.POSITIVE_INFINITY};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length - 1];
    static {
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
    }
    private static final int BUCKETS = BOUNDS_SECONDS.length;
    /** Columns per w: the buckets, then the sum of microseconds (nanoseconds would overflow within months). */
    private static final int ROW = BUCKETS + 1;

    private final MetricMetadata metadata;
    private final String label;
    private final int maxW;
    private final List<AtomicLongArray> stripes = new CopyOnWriteArrayList<>();
    /**
     * Netty's thread-local: an index into an array on the event loops (FastThreadLocalThreads; other threads fall
     * back to a JDK ThreadLocal), where a JDK ThreadLocal probes a hash map crowded with Netty's own (3% of the
     * master's samples under load).
     */
    private final FastThreadLocal<AtomicLongArray> mine = new FastThreadLocal<>() {
        @Override
        protected AtomicLongArray initialValue() {
            return newStripe();
        }
    };

    /** @param maxW the highest w recorded; higher ones are counted with it */
    public LatencyHistogram(final String name, final String help, final String label, final int maxW) {
        this.metadata = new MetricMetadata(name, help, Unit.SECONDS);
        this.label = label;
        this.maxW = maxW;
    }

    private AtomicLongArray newStripe() {
        final AtomicLongArray stripe = new AtomicLongArray((maxW + 1) * ROW);
        stripes.add(stripe);
        return stripe;
    }

    /** Records one observation of {@code nanos} for {@code w}, on the calling thread's stripe. */
    public void record(final int w, final long nanos) {
        final AtomicLongArray stripe = mine.get();
        final int row = Math.min(Math.max(w, 0), maxW) * ROW;
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        // this thread is the stripe's only writer: read, add, ordered store (lazySet) instead of a CAS
        stripe.lazySet(row + bucket, stripe.get(row + bucket) + 1);
        stripe.lazySet(row + BUCKETS, stripe.get(row + BUCKETS) + (Math.max(0, nanos) + 500) / 1000);
    }

    /** The histogram as it is now: one data point per w that has observations. */
    public HistogramSnapshot snapshot() {
        final List<HistogramSnapshot.HistogramDataPointSnapshot> points = new ArrayList<>();
        for (int w = 0; w <= maxW; w++) {
            final long[] counts = new long[BUCKETS];
            long sumMicros = 0;
            long total = 0;
            for (final AtomicLongArray stripe : stripes) {
                for (int b = 0; b < BUCKETS; b++) {
                    counts[b] += stripe.get(w * ROW + b);
                }
                sumMicros += stripe.get(w * ROW + BUCKETS);
            }
            for (final long c : counts) {
                total += c;
            }
            if (total > 0) {
                points.add(new HistogramSnapshot.HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(BOUNDS_SECONDS, counts), sumMicros / 1e6,
                    Labels.of(label, Integer.toString(w)), Exemplars.EMPTY, 0L));
            }
        }
        return new HistogramSnapshot(metadata, points);
    }
}
