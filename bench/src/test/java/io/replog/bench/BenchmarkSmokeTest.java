package io.replog.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs every benchmark for a moment (in-process, one short iteration) so that they cannot rot unnoticed. */
class BenchmarkSmokeTest {
    @Test
    void codecBenchmarksRun() throws Exception {
        final Options options = new OptionsBuilder()
            .include(FrameCodecBenchmark.class.getSimpleName())
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        assertEquals(4, results.size());
        for (final RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark());
        }
    }
}
