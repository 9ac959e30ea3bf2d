package io.replog.node.secondary;

import io.netty.channel.ChannelHandlerContext;
import io.replog.node.config.NodeConfig;
import io.replog.node.log.LogFullException;
import io.replog.node.security.AuthStats;
import io.replog.node.log.LogStore;
import io.replog.node.log.RollbackFile;
import io.replog.node.logging.RepeatCounter;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.NodeRole;
import io.replog.node.role.ReplicationHold;
import io.replog.node.status.Faults;
import io.replog.node.status.NodeStatus;
import io.replog.node.status.PeerState;
import io.replog.node.status.PeerStatus;
import io.replog.protocol.Ack;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.Replicate;
import io.replog.protocol.Truncate;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongConsumer;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The secondary's role: applies REPLICATE frames to its {@link ReplicaLog} and acknowledges cumulatively; refuses
 * appends. With a delay set, each replication request is held that long before it is applied and acknowledged
 * (scheduled on the connection's event loop, so nothing else waits): the inconsistency window made visible. A test
 * can hold the replication instead, for as long as it needs ({@link #holdReplication()}).
 */
public final class Secondary implements NodeRole, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Secondary.class);

    private final ReplicaLog replica;
    /** Where cut entries are kept (the data directory); null for a log in memory: they are only counted. */
    private final java.nio.file.Path rollbackDir;
    private final DurableAcks durableAcks;
    private final long delayMs;
    private final String flush;
    /** How long the master may be silent before it is Suspected, then Unhealthy (as the master judges its own). */
    private final long suspectAfterMs;
    private final long unhealthyAfterMs;
    /** Largest message this node's frame limit lets through (reported so clients can check before sending). */
    private final int maxPayload;
    private final double failRate;
    private final double dropRate;
    private final NanoClock clock;
    private final RepeatCounter fullRefusals = new RepeatCounter();
    private final AuthStats auth;
    private final boolean authenticates;
    private final RepeatCounter mismatchRefusals = new RepeatCounter();
    /** Fault injection at work, reported in the health map so tests can tell it happened. */
    private final LongAdder injectedFailures = new LongAdder();
    private final LongAdder injectedDrops = new LongAdder();
    /** Entries cut because they conflicted with the master's log. */
    private final LongAdder rolledBack = new LongAdder();
    private volatile long lastMasterContactNanos = Long.MIN_VALUE;
    private final boolean debug = LOG.isDebugEnabled();
    /** Delayed frames not applied yet; whoever removes a frame from here owns (and releases) it. */
    /** By identity: frames with equal bytes (the same messages at other msg_ids) are different requests. */
    private final Set<Replicate> delayed =
        Collections.newSetFromMap(Collections.synchronizedMap(new IdentityHashMap<>()));
    private final ReplicationHold hold = new ReplicationHold();

    /** A secondary that stores what it is replicated into {@code store} (the node's log, which it does not close). */
    public Secondary(final NodeConfig config, final LogStore store, final AuthStats auth,
                     final LongConsumer readableAdvanced) {
        this.replica = new ReplicaLog(store);
        replica.advancedListener(readableAdvanced);
        this.auth = auth;
        this.authenticates = config.clusterKey() != null;
        this.rollbackDir = config.dataDir();
        this.durableAcks = new DurableAcks(store);
        replica.cutListener(this::keepCut);
        store.durabilityListener(durableAcks::durable);
        store.failureListener(why -> {
            LOG.error("secondary: cannot store replication any more (restart the node once the disk is fixed): {}",
                why);
            durableAcks.failed(why);
        });
        this.clock = config.clock();
        this.delayMs = config.delayMs();
        this.flush = config.flush();
        this.suspectAfterMs = config.suspectAfterMs();
        this.unhealthyAfterMs = config.unhealthyAfterMs();
        this.maxPayload = FrameHeader.maxPayload(config.maxFrameLength());
        this.failRate = config.failRate();
        this.dropRate = config.dropRate();
        if (failRate > 0 || dropRate > 0) {
            LOG.warn("fault injection on: failing {}% and dropping the connection on {}% of replication requests",
                Math.round(failRate * 100), Math.round(dropRate * 100));
        }
    }

    @Override
    public String name() {
        return "secondary";
    }

    @Override
    public LogStore log() {
        return replica.store();
    }

    public ReplicaLog replica() {
        return replica;
    }

    @Override
    public ErrorFrame checkAppend(final long requestId, final int w, final int payloadLength) {
        return new ErrorFrame(requestId, ErrorCode.NOT_MASTER,
            "not the master: this node is a secondary and only serves reads; send appends to the master");
    }

    @Override
    public void append(final AppendRequest request) {
        // checked by the master this node was a moment ago: it changed role in between
        request.takePayload().release();
        request.fail(ErrorCode.NOT_MASTER, "not the master: this node has just become a secondary");
    }

    @Override
    public void replicate(final ChannelHandlerContext ctx, final Replicate frame) {
        lastMasterContactNanos = clock.nanoTime();
        if (frame.count() == 0) {
            // probes and heartbeats are answered at once: they store nothing
            applyAndAck(ctx, frame, false);
            return;
        }
        final Runnable apply = () -> applyHeld(ctx, frame);
        if (delayMs > 0) {
            delayed.add(frame);
            ctx.executor().schedule(() -> {
                if (!hold.defer(ctx.executor(), apply)) {
                    apply.run();
                }
            }, delayMs, TimeUnit.MILLISECONDS);
            return;
        }
        if (hold.deferring()) {
            delayed.add(frame);
            if (hold.defer(ctx.executor(), apply)) {
                return;
            }
            delayed.remove(frame);
        }
        applyAndAck(ctx, frame, false);
    }

    /** Applies a frame that was delayed or held, unless the node or its connection closed meanwhile. */
    private void applyHeld(final ChannelHandlerContext ctx, final Replicate frame) {
        if (!delayed.remove(frame)) {
            return; // the node closed meanwhile and released it
        }
        if (!ctx.channel().isActive()) {
            // its connection is gone, and with it the master that sent it: a newer connection (perhaps from another
            // master, of another log) owns this replica now
            frame.release();
            return;
        }
        applyAndAck(ctx, frame, true);
    }

    private void applyAndAck(final ChannelHandlerContext ctx, final Replicate frame, final boolean flush) {
        final boolean inject = frame.count() > 0 && (failRate > 0 || dropRate > 0);
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        if (inject && random.nextDouble() < dropRate) {
            // a crash mid-request: half of the time before storing, half after
            final boolean store = random.nextBoolean();
            try {
                if (store) {
                    replica.apply(frame);
                }
            } finally {
                frame.release();
            }
            LOG.info("fault injection: dropping the master's connection ({} msg_id {}..{})",
                store ? "after storing" : "without storing", frame.firstId(), frame.lastId());
            injectedDrops.increment();
            ctx.close();
            return;
        }
        final long position;
        try {
            position = replica.apply(frame);
        } catch (LogFullException e) {
            final long n = fullRefusals.occurred();
            if (n > 0) {
                LOG.warn("cannot store replicated msg_id {}..{}: {} (refusal {} in a row)", frame.firstId(),
                    frame.lastId(), e.getMessage(), n);
            }
            answer(ctx, new ErrorFrame(frame.requestId(), ErrorCode.REPLICATION_FAILED, e.getMessage()), true);
            return;
        } catch (UncheckedIOException e) {
            // the disk failed (the store logged it and refuses writes until the node restarts): the master sees this
            // secondary Failing and keeps retrying; nothing here was stored
            final long n = fullRefusals.occurred();
            if (n > 0) {
                LOG.warn("cannot store replicated msg_id {}..{}: {} (refusal {} in a row)", frame.firstId(),
                    frame.lastId(), e.getMessage(), n);
            }
            answer(ctx, new ErrorFrame(frame.requestId(), ErrorCode.REPLICATION_FAILED,
                "this secondary's disk failed: " + e.getMessage()), true);
            return;
        } finally {
            frame.release();
        }
        if (inject && position != ReplicaLog.MISMATCH && random.nextDouble() < failRate) {
            if (debug) {
                LOG.debug("fault injection: failing msg_id {}..{} after storing it", frame.firstId(), frame.lastId());
            }
            injectedFailures.increment();
            answer(ctx, new ErrorFrame(frame.requestId(), ErrorCode.REPLICATION_FAILED,
                "injected failure (stored, answered with an error)"), flush);
            return;
        }
        if (position == ReplicaLog.MISMATCH) {
            final long n = mismatchRefusals.occurred();
            if (n > 0) {
                LOG.warn("refusing replication of log {}: this secondary holds {} messages of log {}; delete its "
                    + "data directory to follow the new log (refusal {} in a row)", Long.toHexString(frame.logId()),
                    replica.lastId(), Long.toHexString(replica.logId()), n);
            }
            answer(ctx, new ErrorFrame(frame.requestId(), ErrorCode.LOG_MISMATCH,
                "this secondary holds " + replica.lastId() + " messages of another log ("
                    + Long.toHexString(replica.logId()) + "); delete its data directory to follow this master"), true);
            return;
        }
        mismatchRefusals.ended();
        fullRefusals.ended();
        if (debug && frame.count() > 0) {
            LOG.debug("replicated msg_id {}..{}, holding 1..{}", frame.firstId(), frame.lastId(), position);
        }
        final LogStore store = replica.store();
        if (frame.count() == 0) {
            // a probe or heartbeat: where this copy is durably, now
            final long durable = store.durableId();
            answer(ctx, new Ack(frame.requestId(), durable, store.epochAt(durable)), flush);
        } else if (store.durableId() >= position) {
            answer(ctx, new Ack(frame.requestId(), position, store.epochAt(position)), flush);
        } else {
            durableAcks.hold(ctx, frame.requestId(), position);
        }
    }

    /**
     * Sends an ACK or ERROR, flushed at once when it leaves a delayed task (no read burst will flush it). A master
     * that is gone gets nothing: what was stored stays, and it learns the position on its next probe.
     */
    private static void answer(final ChannelHandlerContext ctx, final Frame answer, final boolean flush) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (flush) {
            ctx.writeAndFlush(answer, ctx.voidPromise());
        } else {
            ctx.write(answer, ctx.voidPromise());
        }
    }

    @Override
    public void truncate(final ChannelHandlerContext ctx, final Truncate frame) {
        lastMasterContactNanos = clock.nanoTime();
        final LogStore store = replica.store();
        if (frame.logId() != store.logId()) {
            answer(ctx, new ErrorFrame(frame.requestId(), ErrorCode.LOG_MISMATCH, "this secondary holds log "
                + Long.toHexString(store.logId()) + ", not " + Long.toHexString(frame.logId())), true);
            return;
        }
        replica.truncateAfter(frame.afterId());
        final long durable = store.durableId();
        answer(ctx, new Ack(frame.requestId(), durable, store.epochAt(durable)), true);
    }

    /** Entries {@code from..to} conflict with the master's log and are about to be cut: keep them, count them. */
    private void keepCut(final long from, final long to) {
        if (rollbackDir != null) {
            final java.nio.file.Path file = RollbackFile.save(rollbackDir, replica.store(), from, to);
            LOG.warn("truncating msg_id {}..{}: they conflict with the master's log; kept in {}", from, to, file);
        } else {
            LOG.warn("truncating msg_id {}..{}: they conflict with the master's log (in memory: not kept)", from, to);
        }
        rolledBack.add(to - from + 1);
    }

    /**
     * Holds this secondary's replication until the test releases it (see {@link ReplicationHold}): what the master
     * sends meanwhile is received but neither stored nor acknowledged.
     */
    @Override
    public ReplicationHold.Held holdReplication() {
        return hold.hold();
    }

    @Override
    public long readableId() {
        return replica.lastId(); // its contiguous prefix, as the master sent it
    }

    @Override
    public NodeStatus status() {
        final LogStore store = replica.store();
        final long seen = lastMasterContactNanos;
        final long seenMsAgo = seen == Long.MIN_VALUE ? -1 : (clock.nanoTime() - seen) / 1_000_000L;
        final String failure = store.failure();
        final Map<String, Object> details = new LinkedHashMap<>();
        details.put("master_last_seen_ms_ago", seenMsAgo);
        details.put("out_of_order_held", replica.aheadCount());
        details.put("acks_waiting_for_disk", durableAcks.size());
        details.put("epochs", store.epochHistory()); // (epoch, first msg_id) pairs: a master taking back reads them
        details.put("rolled_back", rolledBack.sum());
        details.put("replication_auth", authenticates ? "cluster key" : "none");
        details.put("unauthorized_frames", auth.refusedFrames());
        details.put("failed_handshakes", auth.failedHandshakes());
        return NodeStatus.builder(NodeStatus.Mode.FIXED)
            .node(0, "secondary", null, null)
            .role("secondary", "secondary", store.epochAt(replica.lastId()))
            .master(null) // it does not know where its master listens: the master dials in
            .log(Long.toHexString(replica.logId()), replica.lastId(), store.durableId(), readableId())
            .readOnly(failure != null ? "this secondary's disk failed (" + failure + "); restart it once the disk "
                + "is fixed" : "not the master: this node is a secondary and only serves reads", failure)
            .appends(0, 0, maxPayload)
            .settings(flush, new Faults(delayMs, failRate, dropRate, injectedFailures.sum(), injectedDrops.sum()))
            .peers(List.of(masterLink(seenMsAgo)))
            .details(details)
            .build();
    }

    /**
     * Its master as this secondary sees it: only from when the master last reached it (the master dials in), judged
     * by this node's suspect-after and unhealthy-after settings, which a cluster shares.
     */
    private PeerStatus masterLink(final long seenMsAgo) {
        final PeerState state = seenMsAgo < 0 || seenMsAgo >= unhealthyAfterMs ? PeerState.Unhealthy
            : seenMsAgo >= suspectAfterMs ? PeerState.Suspected : PeerState.Healthy;
        final String reason = seenMsAgo < 0 ? "never heard from a master"
            : state == PeerState.Healthy ? null : "no contact from the master for " + seenMsAgo + " ms";
        final boolean heard = seenMsAgo >= 0 && seenMsAgo < unhealthyAfterMs;
        return new PeerStatus(0, "master", null, null, "master", state, reason, -1, -1, seenMsAgo, heard,
            heard ? "it dials in" : "silent", -1);
    }

    @Override
    public void close() {
        durableAcks.clear(); // the store's listener is the next role's business
        final List<Replicate> left;
        synchronized (delayed) {
            left = new ArrayList<>(delayed);
        }
        for (final Replicate frame : left) {
            if (delayed.remove(frame)) {
                frame.release();
            }
        }
        replica.close();
    }
}
