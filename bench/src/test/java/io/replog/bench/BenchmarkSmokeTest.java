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

/**
 * Runs every benchmark for a moment (in-process, one short iteration, no warm-up) so that they cannot rot
 * unnoticed. The numbers mean nothing here; that they run does.
 */
class BenchmarkSmokeTest {

    private static Collection<RunResult> runBriefly(final String include) throws Exception {
        return runBriefly(include, new OptionsBuilder());
    }

    private static Collection<RunResult> runBriefly(final String include, final OptionsBuilder base)
        throws Exception {
        final Options options = base
            .include(include)
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(200))
            .build();
        return new Runner(options).run();
    }

    private static void assertAllScored(final Collection<RunResult> results) {
        for (final RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark());
        }
    }

    @Test
    void codecBenchmarksRun() throws Exception {
        final Collection<RunResult> results = runBriefly(FrameCodecBenchmark.class.getSimpleName());
        assertEquals(4, results.size());
        assertAllScored(results);
    }

    @Test
    void logStoreBenchmarksRun() throws Exception {
        final Collection<RunResult> results = runBriefly(LogStoreBenchmark.class.getSimpleName());
        assertEquals(3, results.size());
        assertAllScored(results);
    }

    @Test
    void catchUpBenchmarkRuns() throws Exception {
        final OptionsBuilder small = new OptionsBuilder();
        small.param("behind", "5000");
        final Collection<RunResult> results = runBriefly(CatchUpBenchmark.class.getSimpleName(), small);
        assertEquals(1, results.size());
        assertAllScored(results);
    }

    @Test
    void endToEndBenchmarksRunForEveryW() throws Exception {
        final Collection<RunResult> results = runBriefly(EndToEndBenchmark.class.getSimpleName());
        assertEquals(9, results.size(), "pipelined, oneAtATime and ping for w = 1, 2, 3");
        assertAllScored(results);
    }
}
