package io.replog.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A live progress line on stderr for long runs ({@code seq 1 1000000 | logctl append}), redrawn once a second, only
 * when stderr is a terminal: piped or redirected, stderr carries errors and nothing else.
 */
final class Progress implements AutoCloseable {
    static final long TICK_MS = 1_000;

    private final PrintWriter err;
    private final LongSupplier done;
    private final long started = System.nanoTime();
    private long nextTick = started + TimeUnit.MILLISECONDS.toNanos(TICK_MS);
    private boolean drawn;

    private Progress(final PrintWriter err, final LongSupplier done) {
        this.err = err;
        this.done = done;
    }

    /** A progress line on {@code err} when stderr is a terminal (or LOGCTL_PROGRESS=1), else one that draws nothing. */
    static Progress onTerminal(final PrintWriter err, final LongSupplier done) {
        return new Progress(stderrIsTerminal() ? err : null, done);
    }

    /**
     * Whether this process's stderr is a terminal: {@code LOGCTL_PROGRESS} 1/0 decides when set; else on Linux,
     * where fd 2 points (a /dev/pts or /dev/tty device); else whether the JVM has a console.
     */
    static boolean stderrIsTerminal() {
        final String forced = System.getenv("LOGCTL_PROGRESS");
        if (forced != null && !forced.isBlank()) {
            return "1".equals(forced.trim()) || "true".equalsIgnoreCase(forced.trim());
        }
        try {
            final String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    boolean active() {
        return err != null;
    }

    /** Redraws the line when a second has passed since the last time. */
    void tick() {
        if (err == null || System.nanoTime() - nextTick < 0) {
            return;
        }
        nextTick = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TICK_MS);
        final long n = done.getAsLong();
        final double seconds = (System.nanoTime() - started) / 1e9;
        err.printf("\rlogctl: %,d appended in %.0f s (%,.0f/s)   ", n, seconds, n / Math.max(seconds, 1e-3));
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }
}
