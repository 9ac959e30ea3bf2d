package io.replog.node.cluster;

import io.netty.channel.Channel;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.PeerMessage;
import io.replog.node.consensus.PeerTransport;
import io.replog.node.role.ReplicationHold;
import io.replog.node.status.Faults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A failover node's fault injection ({@code --delay-ms}, {@code --fail-rate}, {@code --drop-rate}), between the wire
 * and the replica: the engine itself never knows. It acts only on what a follower is sent to store, an
 * APPEND_ENTRIES that carries entries; heartbeats (no entries) and votes pass at once, because a heartbeat held or
 * lost past the election timeout would depose a working master, which is not the fault these flags stand for.
 * <ul>
 * <li>delay: each such request is handed to the replica {@code delayMs} later, scheduled on its connection's event
 * loop (nothing waits meanwhile, and requests of one master keep their order). A heartbeat that overtakes held
 * entries finds a gap, the replica refuses it, and the master sends the held range again (that resend is held too):
 * the follower's copy, its /messages and its position on the master's /health lag by the delay.</li>
 * <li>fail: the request is not stored and is answered with a refusal ({@code accepted} 0) naming where the master
 * should resume (after what this node holds, at most {@code prevId}): the master counts it failed and resends.</li>
 * <li>drop: the request is lost, unanswered; the next request or heartbeat finds the gap and the master resends.</li>
 * </ul>
 * Fail and drop are drawn when the request would reach the replica (after its delay), and only for requests in the
 * epoch this node follows: a refusal always carries the node's own epoch, as the replica's would. A test may also
 * hold such requests until it releases them ({@link #hold()}), before the delay applies.
 */
final class PeerFaultInjection {
    private static final Logger LOG = LoggerFactory.getLogger(PeerFaultInjection.class);

    private final int self;
    private final long delayMs;
    private final double failRate;
    private final double dropRate;
    private final PeerTransport transport;
    /** This node's last log index (as the replica counts: epoch marks included): where a refused request resumes. */
    private final LongSupplier lastId;
    /** The epoch this node is in now. */
    private final LongSupplier epoch;
    /** Hands a peer's message to the replica (on its thread). */
    private final ToReplica replica;
    private final boolean debug = LOG.isDebugEnabled();
    private final LongAdder injectedFailures = new LongAdder();
    private final LongAdder injectedDrops = new LongAdder();
    private final ReplicationHold hold = new ReplicationHold();

    /** Where a peer's message goes on: to the replica, with the connection it came on (to refuse it there). */
    @FunctionalInterface
    interface ToReplica {
        void accept(Channel channel, int from, PeerMessage message);
    }

    PeerFaultInjection(final int self, final NodeConfig config, final PeerTransport transport,
                       final LongSupplier lastId, final LongSupplier epoch, final ToReplica replica) {
        this.self = self;
        this.delayMs = config.delayMs();
        this.failRate = config.failRate();
        this.dropRate = config.dropRate();
        this.transport = transport;
        this.lastId = lastId;
        this.epoch = epoch;
        this.replica = replica;
        if (delayMs > 0 || failRate > 0 || dropRate > 0) {
            LOG.info("node {}: fault injection on: as a follower, holding each APPEND_ENTRIES that carries entries "
                + "{} ms, refusing {}% and dropping {}% of them (heartbeats and votes pass at once)", self, delayMs,
                failRate * 100, dropRate * 100);
        }
    }

    /**
     * A peer's message arrived on {@code channel}: to the replica, now, later or never. A request held or delayed
     * whose connection closed meanwhile is never applied: it came from a master this node no longer hears, and a
     * secondary follows the log of its live connection.
     */
    void receive(final Channel channel, final int from, final PeerMessage message) {
        if (!(message instanceof PeerMessage.Replicate replicate) || replicate.entries().isEmpty()) {
            replica.accept(channel, from, message);
            return;
        }
        if (hold.deferring() && hold.defer(channel.eventLoop(), () -> delay(channel, from, replicate))) {
            return;
        }
        delay(channel, from, replicate);
    }

    private void delay(final Channel channel, final int from, final PeerMessage.Replicate replicate) {
        if (delayMs == 0) {
            deliver(channel, from, replicate);
            return;
        }
        try {
            channel.eventLoop().schedule(() -> deliver(channel, from, replicate), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // the node is closing: the request is lost as it would be in a crash (it holds no buffer)
        }
    }

    private void deliver(final Channel channel, final int from, final PeerMessage.Replicate replicate) {
        if (channel.isActive()) {
            inject(channel, from, replicate);
        }
    }

    private void inject(final Channel channel, final int from, final PeerMessage.Replicate request) {
        if ((failRate > 0 || dropRate > 0) && request.epoch() == epoch.getAsLong()) {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            if (random.nextDouble() < dropRate) {
                injectedDrops.increment();
                if (debug) {
                    LOG.debug("node {}: fault injection: dropping node {}'s entries {}..{}", self, from,
                        request.prevId() + 1, request.prevId() + request.entries().size());
                }
                return;
            }
            if (random.nextDouble() < failRate) {
                injectedFailures.increment();
                // resume after what this node holds (its log may be behind prevId: an earlier request was dropped)
                final long resumeAfter = Math.min(request.prevId(), lastId.getAsLong());
                if (debug) {
                    LOG.debug("node {}: fault injection: refusing node {}'s entries {}..{}, resume after {}", self,
                        from, request.prevId() + 1, request.prevId() + request.entries().size(), resumeAfter);
                }
                transport.send(from, new PeerMessage.ReplicateReply(request.epoch(), false, resumeAfter, 0, 0,
                    resumeAfter + 1));
                return;
            }
        }
        replica.accept(channel, from, request);
    }

    /** Holds every request that carries entries until the test releases it (see {@link ReplicationHold}). */
    ReplicationHold.Held hold() {
        return hold.hold();
    }

    /** The settings and how often they struck, for the node's status. */
    Faults faults() {
        return new Faults(delayMs, failRate, dropRate, injectedFailures.sum(), injectedDrops.sum());
    }
}
