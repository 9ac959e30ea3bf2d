package io.replog.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Lines of stdin read on a thread of their own, so that logctl can print answers as they arrive and notice a dead
 * node while stdin has nothing to say (a netcat-style tool never waits for input to report output). Bounded: the
 * reader waits while {@value #CAPACITY} lines are queued, so a fast input does not fill the heap when the node is
 * slower. {@link #wake()} (from any thread: an answer arrived) ends a wait in {@link #next} early.
 */
final class LineFeed implements AutoCloseable {
    static final int CAPACITY = 1024;
    /** What {@link #next} returns at the end of the input. */
    static final LineReader.Line END = new LineReader.Line(-1, new byte[0], 0);
    /** What {@link #next} returns when {@link #wake} ended the wait. */
    static final LineReader.Line WOKEN = new LineReader.Line(-2, new byte[0], 0);

    private final ArrayDeque<LineReader.Line> lines = new ArrayDeque<>();
    private final Thread reader;
    private boolean ended;
    private IOException failure;
    private boolean woken;
    private volatile boolean closed;

    LineFeed(final LineReader source) {
        reader = new Thread(() -> readAll(source), "logctl-stdin");
        reader.setDaemon(true); // a read blocked on a terminal must not keep logctl alive
        reader.start();
    }

    private void readAll(final LineReader source) {
        try {
            LineReader.Line line;
            while (!closed && (line = source.next()) != null) {
                synchronized (this) {
                    while (lines.size() >= CAPACITY && !closed) {
                        wait();
                    }
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            ended = true;
            notifyAll();
        }
    }

    /** An answer arrived: a caller waiting in {@link #next} looks at it now. Any thread. */
    synchronized void wake() {
        woken = true;
        notifyAll();
    }

    /**
     * The next line; {@link #END} at the end of the input; {@link #WOKEN} when {@link #wake} was called first; null
     * when {@code waitMs} passed first (it waits without limit when {@code waitMs} is negative).
     */
    synchronized LineReader.Line next(final long waitMs) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, waitMs));
        while (lines.isEmpty() && !ended && !woken) {
            if (waitMs < 0) {
                wait();
            } else {
                final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return null;
                }
                wait(left);
            }
        }
        final boolean wasWoken = woken;
        woken = false;
        if (!lines.isEmpty()) {
            notifyAll(); // room for the reader
            return lines.poll();
        }
        if (wasWoken) {
            return WOKEN;
        }
        if (ended) {
            if (failure != null) {
                throw new UncheckedIOException("reading stdin", failure);
            }
            return END;
        }
        return null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
