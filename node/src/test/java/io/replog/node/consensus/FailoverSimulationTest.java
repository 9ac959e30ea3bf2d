package io.replog.node.consensus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The failover code ({@link Replica}) under the deterministic {@link Simulation}: many seeds, each a different run
 * of network, disk and crash faults, every invariant checked after every event. A failing seed prints the command
 * that replays it exactly. {@code -Dreplog.sim.seeds=N} (default 10000), {@code -Dreplog.sim.ops=N} (1000),
 * {@code -Dreplog.sim.first=S} (0) choose the runs; {@code -Dreplog.sim.seed=S} replays one with its trace.
 */
class FailoverSimulationTest {
    private static final int SEEDS = Integer.getInteger("replog.sim.seeds", 10_000);
    private static final int OPS = Integer.getInteger("replog.sim.ops", 1000);
    private static final long FIRST = Long.getLong("replog.sim.first", 0);
    /** How far the search for a broken rule may go (it stops at the first seed that catches it). */
    private static final int BROKEN_SEEDS = Integer.getInteger("replog.sim.brokenSeeds", 40_000);

    static String replayCommand(final long seed, final BrokenRule broken) {
        return "mvn -q -pl node -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=FailoverSimulationTest#replay"
            + " -Dreplog.sim.seed=" + seed + " -Dreplog.sim.ops=" + OPS
            + (broken == BrokenRule.NONE ? "" : " -Dreplog.sim.broken=" + broken);
    }

    @Test
    void everySeedKeepsEveryInvariant() {
        final long started = System.nanoTime();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong events = new AtomicLong();
        final AtomicLong elections = new AtomicLong();
        final AtomicLong committed = new AtomicLong();
        final AtomicLong crashes = new AtomicLong();
        final AtomicLong simulatedMs = new AtomicLong();
        LongStream.range(FIRST, FIRST + SEEDS).parallel().forEach(seed -> {
            try {
                final Simulation.Result result = new Simulation(seed, new Simulation.Options(OPS, BrokenRule.NONE,
                    false)).run();
                events.addAndGet(result.events());
                elections.addAndGet(result.elections());
                committed.addAndGet(result.committed());
                crashes.addAndGet(result.crashes());
                simulatedMs.addAndGet(result.simulatedMs());
            } catch (final InvariantViolation violation) {
                failures.add(violation.getMessage() + "\nreplay: " + replayCommand(seed, BrokenRule.NONE));
            }
        });
        final double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("simulation: %d seeds x %d operations: %d events, %d elections, %d crashes, %d committed "
                + "entries, %.0f simulated hours in %.1f s%n", SEEDS, OPS, events.get(), elections.get(),
            crashes.get(), committed.get(), simulatedMs.get() / 3_600_000.0, seconds);
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + SEEDS + " seeds broke an invariant; the first:\n" + failures.peek());
        }
    }

    /** Replays one seed with its whole trace (see the class comment). */
    @Test
    @EnabledIfSystemProperty(named = "replog.sim.seed", matches = "-?\\d+")
    void replay() {
        final long seed = Long.getLong("replog.sim.seed");
        final BrokenRule broken = BrokenRule.valueOf(System.getProperty("replog.sim.broken", "NONE"));
        final Simulation.Result result = new Simulation(seed, new Simulation.Options(OPS, broken, true)).run();
        System.out.println(result);
    }

    /**
     * Each rule broken on purpose is caught within the seeds CI runs: the simulation can fail, and on what. Prints
     * the first seed that catches it.
     */
    @ParameterizedTest
    @EnumSource(value = BrokenRule.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a rare rule may need many thousand seeds: over the usual 180 s
    void aBrokenRuleIsCaught(final BrokenRule broken) {
        final Optional<String> caught = LongStream.range(0, BROKEN_SEEDS).parallel().mapToObj(seed -> {
            try {
                new Simulation(seed, new Simulation.Options(OPS, broken, false)).run();
                return null;
            } catch (final InvariantViolation violation) {
                return "seed " + seed + ": " + violation.getMessage().lines().findFirst().orElse("");
            }
        }).filter(java.util.Objects::nonNull).findFirst();
        assertTrue(caught.isPresent(), broken + " went unnoticed through " + BROKEN_SEEDS + " seeds");
        System.out.println(broken + " caught: " + caught.get());
    }
}
