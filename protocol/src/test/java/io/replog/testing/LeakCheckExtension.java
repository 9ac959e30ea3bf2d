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

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Turns Netty's leak reports into test failures. The build runs tests with PARANOID leak detection, which only
 * logs leaks; this extension (auto-registered for every test) listens to the ByteBuf leak detector and, after
 * each test, forces a GC and an allocation so that any buffer garbage-collected without release() is reported
 * and fails the test that just ran (or, for a leak on another thread, the next one).
 *
 * <p>It fails closed: a check that cannot see leaks would pass every test, so when the hook cannot be installed
 * (Netty changed its internals) or leak detection is off, every test fails before it runs. Leaks in child node
 * processes are the job of their launcher, which scans their logs.
 */
public final class LeakCheckExtension implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    /** Why the leak listener could not be installed; null once it is. */
    private static final String HOOK_FAILURE = install();

    private static String install() {
        try {
            final Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            final ResourceLeakDetector<ByteBuf> detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(type + " leaked:\n" + records));
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
    public void afterEach(final ExtensionContext context) throws Exception {
        failOnLeaks();
    }

    /** Leaks of a class's shared fixtures (a cluster closed in {@code @AfterAll}) fail the class. */
    @Override
    public void afterAll(final ExtensionContext context) throws Exception {
        failOnLeaks();
    }

    private static void failOnLeaks() throws InterruptedException {
        for (int round = 0; round < 2 && LEAKS.isEmpty(); round++) {
            System.gc();
            Thread.sleep(20);
            // the detector polls its reference queue on allocation of a tracked buffer
            for (final ByteBufAllocator alloc : List.of(PooledByteBufAllocator.DEFAULT,
                UnpooledByteBufAllocator.DEFAULT)) {
                alloc.buffer(8).release();
                alloc.directBuffer(8).release();
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
}
