package io.replog.node.cli;

import org.agrona.concurrent.ShutdownSignalBarrier;

import java.util.function.Supplier;

/** Starts something, waits for SIGINT/SIGTERM, stops it; the exit code of every node command. */
final class Lifecycle {
    private Lifecycle() {
    }

    static int runUntilSignalled(final Supplier<AutoCloseable> starter) {
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        final AutoCloseable running;
        try {
            running = starter.get();
        } catch (RuntimeException e) {
            System.err.println("replog-node: " + e.getMessage());
            return 1;
        }
        barrier.await();
        try {
            running.close();
            return 0;
        } catch (Exception e) {
            System.err.println("replog-node: error while stopping: " + e);
            return 1;
        }
    }
}
