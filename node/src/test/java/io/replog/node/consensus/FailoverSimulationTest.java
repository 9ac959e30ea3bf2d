package io.replog.node.consensus;

import io.replog.testing.Nightly;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The failover code ({@link Replica}) under the deterministic {@link Simulation}: many seeds, each a different run
 * of network, disk and crash faults, every invariant checked after every event. A failing seed prints the command
 * that replays it exactly ({@code -Dreplog.sim.seed=S} replays one with its trace).
 *
 * <p>CI runs today's slice of {@value #DEFAULT_SLICE} seeds (a different slice every day, past the nightly range,
 * printed with the command that runs it again) and, for each rule broken on purpose, the seed that caught it. The
 * nightly build ({@code -Pnightly}) runs the first {@code -Dreplog.sim.seeds=N} (default 10000) seeds from
 * {@code -Dreplog.sim.first=S} (0) and searches up to {@code -Dreplog.sim.brokenSeeds=N} (40000) seeds for each broken
 * rule. {@code -Dreplog.sim.ops=N} (1000) sets the length of every run.
 */
class FailoverSimulationTest {
    private static final int SEEDS = Integer.getInteger("replog.sim.seeds", 10_000);
    private static final int OPS = Integer.getInteger("replog.sim.ops", 1000);
    /** How far the search for a broken rule may go (it stops at the first seed that catches it). */
    private static final int BROKEN_SEEDS = Integer.getInteger("replog.sim.brokenSeeds", 40_000);
    static final int DEFAULT_SLICE = 600;
    /** Seeds of a CI build: a few seconds on 2 cores. */
    private static final int SLICE = Integer.getInteger("replog.sim.slice", DEFAULT_SLICE);
    /** Days before the slices start again: with the default slice, seeds 10,000..1,010,000, none of them nightly's. */
    private static final int SLICES = 1_000;

    static String replayCommand(final long seed, final BrokenRule broken) {
        return replayCommand(seed, broken, false);
    }

    static String replayCommand(final long seed, final BrokenRule broken, final boolean staticLeader) {
        return "mvn -q -pl node -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=FailoverSimulationTest#replay"
            + " -Dreplog.sim.seed=" + seed + " -Dreplog.sim.ops=" + OPS
            + (broken == BrokenRule.NONE ? "" : " -Dreplog.sim.broken=" + broken)
            + (staticLeader ? " -Dreplog.sim.static=true" : "");
    }

    /** The first seed of the slice CI runs on {@code day} (UTC): it moves on every day, past the nightly seeds. */
    static long sliceStart(final LocalDate day) {
        return 10_000 + Math.floorMod(day.toEpochDay(), SLICES) * (long) SLICE;
    }

    @Test
    @Nightly
    void everySeedKeepsEveryInvariant() {
        runSeeds(Long.getLong("replog.sim.first", 0), SEEDS, false);
    }

    @Test
    @Nightly
    void everySeedKeepsEveryInvariantWithAStaticLeader() {
        runSeeds(Long.getLong("replog.sim.first", 0), SEEDS, true);
    }

    /** Today's slice: CI explores new seeds every day instead of the same ones every build. */
    @Test
    void todaysSliceOfSeedsKeepsEveryInvariant() {
        final LocalDate today = LocalDate.now(ZoneOffset.UTC);
        final long first = Long.getLong("replog.sim.first", sliceStart(today));
        System.out.printf("simulation: seeds %d..%d (the slice of %s UTC); run this slice again with "
                + "-Dtest=FailoverSimulationTest#todaysSliceOfSeedsKeepsEveryInvariant -Dreplog.sim.first=%d%n",
            first, first + SLICE - 1, today, first);
        runSeeds(first, SLICE, false);
    }

    /**
     * A smaller slice where the clients give their appends a timeout: TIMEOUT answers come from the engine's tick
     * under the same faults (the entry stays in the log; the client sends it again, tagged).
     */
    @Test
    void aSliceOfSeedsWithAppendTimeoutsKeepsEveryInvariant() {
        final long first = Long.getLong("replog.sim.first", sliceStart(LocalDate.now(ZoneOffset.UTC)));
        runSeeds(first, SLICE / 5, false, true);
    }

    /** Today's slice again with node 1 the static master (fixed roles): the same engine, configured. */
    @Test
    void todaysSliceOfSeedsKeepsEveryInvariantWithAStaticLeader() {
        final LocalDate today = LocalDate.now(ZoneOffset.UTC);
        final long first = Long.getLong("replog.sim.first", sliceStart(today));
        System.out.printf("simulation, static leader: seeds %d..%d (the slice of %s UTC); run this slice again with "
                + "-Dtest=FailoverSimulationTest#todaysSliceOfSeedsKeepsEveryInvariantWithAStaticLeader "
                + "-Dreplog.sim.first=%d%n", first, first + SLICE - 1, today, first);
        runSeeds(first, SLICE, true, false);
    }

    private static void runSeeds(final long first, final int seeds, final boolean staticLeader) {
        runSeeds(first, seeds, staticLeader, false);
    }

    private static void runSeeds(final long first, final int seeds, final boolean staticLeader,
                                 final boolean appendTimeouts) {
        final long started = System.nanoTime();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong events = new AtomicLong();
        final AtomicLong elections = new AtomicLong();
        final AtomicLong committed = new AtomicLong();
        final AtomicLong crashes = new AtomicLong();
        final AtomicLong simulatedMs = new AtomicLong();
        LongStream.range(first, first + seeds).parallel().forEach(seed -> {
            try {
                final Simulation.Result result = new Simulation(seed, new Simulation.Options(OPS, BrokenRule.NONE,
                    false, staticLeader, appendTimeouts)).run();
                events.addAndGet(result.events());
                elections.addAndGet(result.elections());
                committed.addAndGet(result.committed());
                crashes.addAndGet(result.crashes());
                simulatedMs.addAndGet(result.simulatedMs());
            } catch (final InvariantViolation violation) {
                failures.add(violation.getMessage() + "\nreplay: " + replayCommand(seed, BrokenRule.NONE,
                    staticLeader) + (appendTimeouts ? " -Dreplog.sim.timeouts=true" : ""));
            }
        });
        final double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("simulation (%s): %d seeds from %d x %d operations: %d events, %d elections, %d crashes, %d "
                + "committed entries, %.1f simulated hours in %.1f s%n",
            staticLeader ? "static leader" : "elected", seeds, first, OPS, events.get(),
            elections.get(), crashes.get(), committed.get(), simulatedMs.get() / 3_600_000.0, seconds);
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + seeds + " seeds broke an invariant; the first:\n" + failures.peek());
        }
    }

    /** Replays one seed with its whole trace (see the class comment). */
    @Test
    @EnabledIfSystemProperty(named = "replog.sim.seed", matches = "-?\\d+")
    void replay() {
        final long seed = Long.getLong("replog.sim.seed");
        final BrokenRule broken = BrokenRule.valueOf(System.getProperty("replog.sim.broken", "NONE"));
        final Simulation.Result result = new Simulation(seed, new Simulation.Options(OPS, broken, true,
            Boolean.getBoolean("replog.sim.static"), Boolean.getBoolean("replog.sim.timeouts"))).run();
        System.out.println(result);
    }

    /**
     * Each rule broken on purpose is still caught by the seed that caught it first (found by
     * {@link #aBrokenRuleIsCaught}), in milliseconds: the simulation can fail, and on what. The same seed keeps every
     * invariant with the rule intact, so it is the rule that is caught, not the seed that fails.
     */
    @ParameterizedTest(name = "{0} at seed {1}")
    @CsvSource({"VOTES_TWICE, 4", "VOTES_FOR_STALE_LOG, 0", "FORGETS_VOTE, 20", "COMMITS_OLD_EPOCH, 1716",
        "ACKS_ON_SEND, 0"})
    void theSeedThatCaughtEachBrokenRuleStillCatchesIt(final BrokenRule broken, final long seed) {
        new Simulation(seed, new Simulation.Options(OPS, BrokenRule.NONE, false)).run();
        final InvariantViolation caught = assertThrows(InvariantViolation.class,
            () -> new Simulation(seed, new Simulation.Options(OPS, broken, false)).run(),
            broken + " went unnoticed at seed " + seed + ", which caught it before: the simulation or the rule "
                + "changed. Find the seed that catches it now and pin that one: mvn -B -pl node -am test -Pnightly "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Dtest=FailoverSimulationTest#aBrokenRuleIsCaught");
        System.out.println(broken + " caught at seed " + seed + ": "
            + caught.getMessage().lines().findFirst().orElse("") + "\nreplay: " + replayCommand(seed, broken));
    }

    /**
     * The same for a static master (node 1): the rules that matter without elections, each caught by its pinned
     * seed, which keeps every invariant with the rule intact.
     */
    @ParameterizedTest(name = "{0} at seed {1}")
    @CsvSource({"SKIPS_TAKE_BACK, 9", "ACKS_ON_SEND, 0"})
    void theSeedThatCaughtEachBrokenRuleStillCatchesItWithAStaticLeader(final BrokenRule broken, final long seed) {
        new Simulation(seed, new Simulation.Options(OPS, BrokenRule.NONE, false, true)).run();
        final InvariantViolation caught = assertThrows(InvariantViolation.class,
            () -> new Simulation(seed, new Simulation.Options(OPS, broken, false, true)).run(),
            broken + " went unnoticed at seed " + seed + " with a static leader, which caught it before: the "
                + "simulation or the rule changed. Find the seed that catches it now and pin that one: mvn -B -pl "
                + "node -am test -Pnightly -Dsurefire.failIfNoSpecifiedTests=false "
                + "-Dtest=FailoverSimulationTest#aBrokenRuleIsCaughtWithAStaticLeader");
        System.out.println(broken + " caught at seed " + seed + " with a static leader: "
            + caught.getMessage().lines().findFirst().orElse("") + "\nreplay: " + replayCommand(seed, broken, true));
    }

    /**
     * Each rule broken on purpose is caught within {@link #BROKEN_SEEDS} seeds. Prints the first seed that catches
     * it: the one {@link #theSeedThatCaughtEachBrokenRuleStillCatchesIt} pins for CI.
     */
    @ParameterizedTest
    @Nightly
    @EnumSource(value = BrokenRule.class, names = {"NONE", "SKIPS_TAKE_BACK"}, mode = EnumSource.Mode.EXCLUDE)
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // a rare rule may need many thousand seeds: over the usual 180 s
    void aBrokenRuleIsCaught(final BrokenRule broken) {
        searchForACatch(broken, false);
    }

    /** The same with a static master, for the rules {@link #theSeedThatCaughtEachBrokenRuleStillCatchesItWithAStaticLeader} pins. */
    @ParameterizedTest
    @Nightly
    @EnumSource(value = BrokenRule.class, names = {"SKIPS_TAKE_BACK", "ACKS_ON_SEND"})
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aBrokenRuleIsCaughtWithAStaticLeader(final BrokenRule broken) {
        searchForACatch(broken, true);
    }

    private static void searchForACatch(final BrokenRule broken, final boolean staticLeader) {
        final Optional<String> caught = LongStream.range(0, BROKEN_SEEDS).parallel().mapToObj(seed -> {
            try {
                new Simulation(seed, new Simulation.Options(OPS, broken, false, staticLeader)).run();
                return null;
            } catch (final InvariantViolation violation) {
                return "seed " + seed + ": " + violation.getMessage().lines().findFirst().orElse("");
            }
        }).filter(java.util.Objects::nonNull).findFirst();
        assertTrue(caught.isPresent(), broken + " went unnoticed through " + BROKEN_SEEDS + " seeds"
            + (staticLeader ? " with a static leader" : ""));
        System.out.println(broken + (staticLeader ? " caught with a static leader: " : " caught: ") + caught.get());
    }
}
