package io.replog.testing;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waits with a deadline: for a condition (polling) or for a future's result. Tests never sleep and hope, and never
 * wait without a bound: a lost answer fails the test that waited for it instead of hanging the build.
 */
public final class Await {
    /** Generous: a loaded 2-core CI machine can stall for seconds. */
    public static final Duration DEFAULT = Duration.ofSeconds(30);

    private Await() {
    }

    public static void until(final String what, final BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    public static void until(final String what, final Duration timeout, final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + what);
            }
        }
    }

    /** {@code future.join()} with the {@link #DEFAULT} deadline. */
    public static <T> T result(final Future<T> future) {
        return result(future, DEFAULT);
    }

    /**
     * {@code future.join()} with a deadline: the result, or the {@link CompletionException} (wrapping the cause)
     * that {@code join()} would throw, or a test failure once {@code timeout} has passed without an answer.
     */
    public static <T> T result(final Future<T> future, final Duration timeout) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (TimeoutException e) {
            return fail("no result within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted waiting for a result");
        }
    }
}
