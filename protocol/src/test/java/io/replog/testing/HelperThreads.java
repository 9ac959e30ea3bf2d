package io.replog.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Threads a test starts beside its own (writers, fuzzers, readers) whose failures must fail the test: an exception
 * or AssertionError thrown on a thread of its own is otherwise printed at most, and the test goes on green.
 * {@link #join} waits for them with a deadline, then rethrows the first failure any of them had (the others
 * suppressed under it), or fails if one is still running.
 */
public final class HelperThreads {
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    /** Starts {@code body} on a new thread named {@code name}, whose failure is kept for {@link #join}. */
    public Thread start(final String name, final Runnable body) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true); // one that hangs must not keep the test JVM alive: join fails the test instead
        thread.setUncaughtExceptionHandler((t, e) -> failures.add(new AssertionError(t.getName() + " failed", e)));
        thread.start();
        return thread;
    }

    /**
     * Waits up to {@code timeout} (for all of them together) for {@code threads} to end, then rethrows the failure
     * of any helper started here (not only of these: a failure already recorded is not kept waiting), or fails if
     * one of {@code threads} is still running.
     */
    public void join(final List<Thread> threads, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (final Thread thread : threads) {
            final long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            thread.join(leftMs);
        }
        rethrow();
        for (final Thread thread : threads) {
            if (thread.isAlive()) {
                fail(thread.getName() + " still running after " + timeout);
            }
        }
    }

    /** Rethrows the first failure of a helper (the later ones suppressed under it), if any. */
    public void rethrow() {
        final Throwable first = failures.peek();
        if (first == null) {
            return;
        }
        final AssertionError error = new AssertionError(first.getMessage(), first.getCause());
        failures.stream().skip(1).forEach(error::addSuppressed);
        throw error;
    }
}
