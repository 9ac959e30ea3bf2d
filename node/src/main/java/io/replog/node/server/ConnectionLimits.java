package io.replog.node.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.replog.node.logging.OncePerSecond;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What a node allows its accepted connections, both ports together: at most {@code --max-connections} open at
 * once, and each closed after {@code --idle-timeout-ms} without traffic. One instance per node, shared by the
 * binary and HTTP initializers; thread-safe.
 */
public final class ConnectionLimits {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);

    private final String name;
    private final int maxConnections;
    private final long idleTimeoutMs;
    private final Consumer<String> log;
    private final AtomicInteger open = new AtomicInteger();
    /** Refusals come in storms (a client pool retrying): one log line per second says how many. */
    private final OncePerSecond reports;

    /**
     * @param name           the node's role, prefixed to log lines
     * @param idleTimeoutMs  0 keeps idle connections open forever
     */
    public ConnectionLimits(final String name, final int maxConnections, final long idleTimeoutMs) {
        this(name, maxConnections, idleTimeoutMs, LOG::warn, System::nanoTime);
    }

    ConnectionLimits(final String name, final int maxConnections, final long idleTimeoutMs,
                     final Consumer<String> log, final LongSupplier nanoClock) {
        this.name = name;
        this.maxConnections = maxConnections;
        this.idleTimeoutMs = idleTimeoutMs;
        this.log = log;
        this.reports = new OncePerSecond(nanoClock);
    }

    /**
     * Counts {@code channel} in if there is room (it is counted out when it closes); otherwise logs the refusal
     * (at most once per second) and returns false: the caller answers with a refusal and closes.
     */
    public boolean admit(final Channel channel) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refused(channel);
            return false;
        }
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    /** The text of the refusal (ERROR frame, HTTP 503 detail). */
    public String refusal() {
        return "too many connections: this node holds its limit of " + maxConnections
            + " (--max-connections); try again later";
    }

    /**
     * Puts the idle timeout at the head of {@code pipeline}: a connection with nothing read or written for
     * {@code --idle-timeout-ms} is closed, unless {@code busy} says it still waits for something (an append's
     * write concern, a replication link).
     */
    public void addIdleTimeout(final ChannelPipeline pipeline, final BooleanSupplier busy) {
        if (idleTimeoutMs > 0) {
            pipeline.addFirst("idle", new IdleTimeoutHandler(idleTimeoutMs, busy));
        }
    }

    /** Connections open now (both ports). */
    public int open() {
        return open.get();
    }

    private void refused(final Channel channel) {
        final int count = reports.occurred();
        if (count > 0) {
            log.accept(name + ": refused a connection from " + channel.remoteAddress() + ": at the limit of "
                + maxConnections + " connections (--max-connections)"
                + (count > 1 ? "; " + (count - 1) + " more refused since the last report" : ""));
        }
    }
}
