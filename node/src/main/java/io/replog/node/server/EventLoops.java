package io.replog.node.server;

import io.netty.channel.EventLoopGroup;
import io.replog.protocol.Transport;

import java.util.concurrent.TimeUnit;

/**
 * The event loop groups a node runs on: one thread accepting connections, a few doing I/O. Nodes of a local
 * cluster (and of tests) share one instance instead of each starting their own threads.
 */
public final class EventLoops implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    public EventLoops(final int ioThreads, final String name) {
        this.boss = Transport.group(1, name + "-accept");
        this.workers = Transport.group(ioThreads, name + "-io");
    }

    /** One I/O thread per core: more only adds context switches on small machines. */
    public static EventLoops standard(final String name) {
        return new EventLoops(Math.max(2, Runtime.getRuntime().availableProcessors()), name);
    }

    public EventLoopGroup boss() {
        return boss;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    @Override
    public void close() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
