package io.replog.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Ends a test JVM that runs longer than {@code replog.fork.timeout.s} seconds (set by the build to surefire's
 * {@code forkedProcessTimeoutInSeconds}): surefire notices that timeout but does not kill the fork (SUREFIRE-1722),
 * and a hang outside any test method (an extension, a static initializer, a shutdown) has no JUnit timeout. It
 * prints every thread's stack (the clue to what hung; also kept in {@code target/fork-watchdog-threads.txt}) and
 * halts; the build then fails on the lost fork.
 * Auto-registered with {@link LeakCheckExtension}; the first test class starts it.
 */
public final class ForkWatchdog implements BeforeAllCallback {
    private static final String PROPERTY = "replog.fork.timeout.s";
    private static final long STARTED_NANOS = System.nanoTime();
    /** The thread dump, in the module's target directory (the tests' working directory). */
    private static final Path DUMP = Path.of("target", "fork-watchdog-threads.txt");

    static {
        final long seconds = Long.getLong(PROPERTY, 0);
        if (seconds > 0) {
            final Thread watchdog = new Thread(() -> watch(seconds), "fork-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
    }

    private static void watch(final long seconds) {
        final long deadline = STARTED_NANOS + TimeUnit.SECONDS.toNanos(seconds);
        try {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        } catch (InterruptedException e) {
            return;
        }
        final StringBuilder dump = new StringBuilder("ForkWatchdog: the tests of this JVM ran longer than " + seconds
            + " s (" + PROPERTY + "); halting. Threads:\n");
        for (final ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            dump.append(info);
        }
        System.err.println(dump);
        System.err.flush();
        try {
            // the fork's stderr travels to surefire asynchronously and may not make it before the halt: keep a copy
            Files.writeString(DUMP, dump);
        } catch (IOException e) {
            System.err.println("ForkWatchdog: cannot write " + DUMP.toAbsolutePath() + ": " + e);
        }
        Runtime.getRuntime().halt(97);
    }

    @Override
    public void beforeAll(final ExtensionContext context) {
        // nothing: loading this class (the first test class does) starts the watchdog
    }
}
