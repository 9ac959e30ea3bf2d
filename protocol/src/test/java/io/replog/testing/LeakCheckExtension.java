package io.replog.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Turns Netty's leak reports into test failures. The build runs tests with PARANOID leak detection, which only
 * logs leaks; this extension (auto-registered for every test) listens to the ByteBuf leak detector and, after
 * each test, fails the test if a buffer was garbage-collected without release() (or, for a leak on another thread
 * found later, the next test; for a class's shared fixtures, the class).
 *
 * <p>Cheap where nothing can have leaked: the detector tracks every buffer (PARANOID) until it is released, so when
 * it tracks none after a test, no buffer is left to leak and the check needs no GC (codec and unit tests release
 * everything). Otherwise one GC clears the tracker of every unreachable buffer at once; a cleared tracker still
 * tracked is a leak, whether or not the detector has reported it yet (it reports each distinct trace once, on a later
 * allocation), and the check waits for the detector's report of it, with its access records, instead of a fixed
 * sleep.
 *
 * <p>It fails closed: a check that cannot see leaks would pass every test, so when the hook cannot be installed
 * (Netty changed its internals) or leak detection is off, every test fails before it runs. Leaks in child node
 * processes are the job of their launcher, which scans their logs.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    /** How long a leak found by the GC may take to be reported: the reference handler thread enqueues it. */
    private static final long REPORT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long LISTENER_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** The detector's trackers of the buffers not released yet; null when the hook failed. */
    private static Set<? extends Reference<?>> tracked;
    /** Why the leak listener could not be installed; null once it is. */
    private static final String HOOK_FAILURE = install();

    private static String install() {
        try {
            final Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            final ResourceLeakDetector<ByteBuf> detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(type + " leaked:\n" + records));
            final Field all = ResourceLeakDetector.class.getDeclaredField("allLeaks");
            all.setAccessible(true);
            @SuppressWarnings("unchecked")
            final Set<? extends Reference<?>> trackers = (Set<? extends Reference<?>>) all.get(detector);
            tracked = trackers;
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return e.toString();
        }
    }

    @Override
    public void beforeEach(final ExtensionContext context) {
        if (HOOK_FAILURE != null) {
            throw new ExtensionConfigurationException("LeakCheckExtension cannot hook Netty's leak detector, so no "
                + "leak would be caught: " + HOOK_FAILURE);
        }
        if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            throw new ExtensionConfigurationException("Netty leak detection is disabled, so no leak would be caught: "
                + "run the tests with -Dio.netty.leakDetection.level=paranoid (the build does)");
        }
    }

    @Override
    public void afterEach(final ExtensionContext context) {
        failOnLeaks();
    }

    /** Leaks of a class's shared fixtures (a cluster closed in {@code @AfterAll}) fail the class. */
    @Override
    public void afterAll(final ExtensionContext context) {
        failOnLeaks();
    }

    private static void failOnLeaks() {
        if (LEAKS.isEmpty() && !tracked.isEmpty()) {
            // some buffer is not released (yet): a GC clears the tracker of each one that is unreachable
            System.gc();
            final List<String> leaked = awaitReports();
            if (!leaked.isEmpty() && LEAKS.isEmpty()) {
                // the detector reports each distinct access trace once: the same leak again goes unreported
                fail(leaked.size() + " Netty buffer(s) garbage-collected without release(), not reported by the "
                    + "detector (a trace it reported before?):\n" + String.join("\n", leaked));
            }
        }
        if (!LEAKS.isEmpty()) {
            final List<String> found = new ArrayList<>();
            String leak;
            while ((leak = LEAKS.poll()) != null) {
                found.add(leak);
            }
            fail("Netty buffer leak detected (" + found.size() + "):\n" + String.join("\n", found));
        }
    }

    /**
     * Lets the detector report every tracker the GC cleared: it polls its queue on each tracked allocation and
     * drops a reported tracker from its set (then tells the listener, perhaps on another thread). Returns the
     * trackers' records (where each buffer was allocated and last touched).
     */
    private static List<String> awaitReports() {
        final List<String> leaked = new ArrayList<>();
        for (final Reference<?> tracker : tracked) {
            if (tracker.refersTo(null)) {
                leaked.add(tracker.toString());
            }
        }
        final long deadline = System.nanoTime() + REPORT_WAIT_NANOS;
        while (cleared() > 0 && System.nanoTime() < deadline) {
            for (final ByteBufAllocator alloc : List.of(PooledByteBufAllocator.DEFAULT,
                UnpooledByteBufAllocator.DEFAULT)) {
                alloc.buffer(8).release();
                alloc.directBuffer(8).release();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        // a report found by another thread's allocation reaches the listener just after the tracker left the set
        final long listened = System.nanoTime() + LISTENER_WAIT_NANOS;
        while (!leaked.isEmpty() && LEAKS.isEmpty() && System.nanoTime() < listened) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return leaked;
    }

    /** Trackers still held whose buffer the GC collected: buffers that were never released. */
    private static int cleared() {
        int n = 0;
        for (final Reference<?> tracker : tracked) {
            if (tracker.refersTo(null)) {
                n++;
            }
        }
        return n;
    }
}
