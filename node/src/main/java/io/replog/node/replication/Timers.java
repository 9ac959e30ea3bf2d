package io.replog.node.replication;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task later on the replication code's own thread: the sender's event loop in production
 * ({@code eventLoop::schedule}), a queue driven by an injected clock in tests.
 */
@FunctionalInterface
public interface Timers {
    Future<?> schedule(Runnable task, long delay, TimeUnit unit);
}
