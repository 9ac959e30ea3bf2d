package io.replog.tools.bench;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Throughput, latency percentiles (HdrHistogram, nanoseconds) and errors of one run. */
public record BenchResult(BenchSettings settings, long ok, long errors, long measuredNanos, Histogram latency,
                   String firstError) {

    public double opsPerSecond() {
        return ok * 1e9 / Math.max(1, measuredNanos);
    }

    public double percentileMicros(final double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1e3;
    }

    /** The one-line JSON summary. */
    public Map<String, Object> summary() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("op", settings.op());
        if (!settings.ping()) {
            m.put("w", settings.w());
            m.put("size", settings.size());
        }
        m.put("connections", settings.connections());
        m.put("inflight", settings.inflight());
        m.put("rate", (long) settings.rate());
        m.put("ops", ok);
        m.put("duration_s", Math.round(measuredNanos / 1e6) / 1e3);
        m.put("ops_per_s", Math.round(opsPerSecond()));
        m.put("p50_us", round(percentileMicros(50)));
        m.put("p90_us", round(percentileMicros(90)));
        m.put("p99_us", round(percentileMicros(99)));
        m.put("p999_us", round(percentileMicros(99.9)));
        m.put("max_us", round(latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1e3));
        m.put("errors", errors);
        return m;
    }

    private static double round(final double v) {
        return Math.round(v * 10) / 10.0;
    }

    public void printText(final java.io.PrintWriter out) {
        out.printf("%s%s: %,d ok, %,d errors in %.2f s%n", settings.op(),
            settings.ping() ? "" : " w=" + settings.w() + " size=" + settings.size(), ok, errors,
            measuredNanos / 1e9);
        out.printf("throughput  %,.0f ops/s  (%d connection(s) x %s)%n", opsPerSecond(), settings.connections(),
            settings.rate() > 0 ? String.format("paced at %,.0f/s total", settings.rate())
                : settings.inflight() + " in flight");
        out.printf("latency us  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n", percentileMicros(50),
            percentileMicros(90), percentileMicros(99), percentileMicros(99.9),
            latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1e3);
        if (firstError != null) {
            out.println("first error: " + firstError);
        }
    }

    /** HdrHistogram's percentile distribution in microseconds, for charts. */
    public void writeDistribution(final PrintStream out) {
        latency.outputPercentileDistribution(out, 1000.0);
    }
}
