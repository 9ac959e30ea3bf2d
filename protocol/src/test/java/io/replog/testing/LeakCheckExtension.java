package io.replog.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterEachCallback;
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
 */
public final class LeakCheckExtension implements AfterEachCallback {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final boolean INSTALLED = install();

    private static boolean install() {
        try {
            final Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            final ResourceLeakDetector<ByteBuf> detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(type + " leaked:\n" + records));
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("LeakCheckExtension: cannot hook Netty's leak detector: " + e);
            return false;
        }
    }

    @Override
    public void afterEach(final ExtensionContext context) throws Exception {
        if (!INSTALLED || ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
            return;
        }
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
