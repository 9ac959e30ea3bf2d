package io.replog.node.cluster;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.replog.node.log.LogStore;
import io.replog.node.logging.RepeatCounter;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The door between the peer connections and the replica, on the event loops: a frame that this node cannot take
 * (its disk failed, the sender is no peer, it names another log) is answered with an error on its connection, so the
 * sender shows why rather than mere silence; every other frame goes on through the {@link PeerFaultInjection} to
 * the replica's thread. A node that holds no message yet takes on the log its first master names, here, before any
 * entry reaches the replica.
 */
final class PeerFrameGuard {
    private static final Logger LOG = LoggerFactory.getLogger(PeerFrameGuard.class);
    /** How a full log's refusal starts (LogFullException's words): not a failed disk. */
    private static final String FULL = "the log is full";

    private final Peers peers;
    private final LogStore log;
    private final PeerLinks links;
    private final PeerFaultInjection faults;
    private final RoleState state;
    /** Frames of another log refused in a row (logged on the 1st and every 10th). */
    private final RepeatCounter logRefusals = new RepeatCounter();

    PeerFrameGuard(final Peers peers, final LogStore log, final PeerLinks links, final PeerFaultInjection faults,
                   final RoleState state) {
        this.peers = peers;
        this.log = log;
        this.links = links;
        this.faults = faults;
        this.state = state;
    }

    /** A peer frame arrived on a connection: to the replica's thread, or refused here. */
    void received(final ChannelHandlerContext ctx, final Frame frame) {
        final String diskFailure = state.storageError();
        if (diskFailure != null) {
            // answered rather than ignored: the sender shows this node Failing with the reason, not merely silent
            ReferenceCountUtil.release(frame);
            final String who = state.staticMaster() ? "node " + peers.self() + "'s" : "this secondary's";
            ctx.writeAndFlush(new ErrorFrame(frame.requestId(), ErrorCode.REPLICATION_FAILED,
                (diskFailure.startsWith(FULL) ? diskFailure : who + " disk failed: " + diskFailure)
                + "; it stores nothing until restarted"), ctx.voidPromise());
            return;
        }
        final int from = PeerFrames.sender(frame);
        if (from == peers.self() || !peers.member(from)) {
            ReferenceCountUtil.release(frame);
            ctx.writeAndFlush(new ErrorFrame(frame.requestId(), ErrorCode.INVALID_REQUEST, "node " + from
                + " is not a peer of node " + peers.self() + " (" + peers + ")"), ctx.voidPromise());
            return;
        }
        final long named = PeerFrames.logId(frame);
        if (named != 0 && named != log.logId() && !adopted(named)) {
            refuseLog(ctx, frame, named);
            return;
        }
        if (named != 0) {
            logRefusals.ended();
        }
        links.heardOn(from, ctx.channel());
        faults.receive(ctx.channel(), from, PeerFrames.toMessage(frame));
    }

    /** Peer {@code from} answered on this node's own connection to it: to the replica's thread. */
    void answered(final int from, final ChannelHandlerContext ctx, final Frame frame) {
        faults.receive(ctx.channel(), from, PeerFrames.toMessage(frame));
    }

    /**
     * Refuses a frame of log {@code named}: this node holds messages of another. Logged on the 1st and every 10th
     * refusal in a row (its master retries every heartbeat), as fixed secondaries did.
     */
    private void refuseLog(final ChannelHandlerContext ctx, final Frame frame, final long named) {
        final long n = logRefusals.occurred();
        if (n > 0) {
            LOG.warn("node {}: refusing replication of log {}: this secondary holds {} messages of log {}; delete "
                + "its data directory to follow the new log (refusal {} in a row)", peers.self(),
                Long.toHexString(named), log.lastId(), Long.toHexString(log.logId()), n);
        }
        ctx.writeAndFlush(new ErrorFrame(frame.requestId(), ErrorCode.LOG_MISMATCH, (state.isStatic()
            ? "this secondary" : "node " + peers.self()) + " holds " + log.lastId() + " messages of another log ("
            + Long.toHexString(log.logId()) + "); delete its data directory to follow this master"),
            ctx.voidPromise());
    }

    /**
     * A master names log {@code named}, not this node's: a node that holds no message takes it on (its first master,
     * or a new log after its data directory was deleted); one that holds messages of another log refuses it.
     * On the event loop, before the frame reaches the replica: the log takes its identity before any entry.
     */
    private boolean adopted(final long named) {
        if (log.lastId() > 0) {
            return false;
        }
        try {
            log.adoptLogId(named);
        } catch (IllegalStateException holdsEntries) {
            return false; // epoch marks of another log
        }
        LOG.info("node {}: following log {}", peers.self(), Long.toHexString(named));
        return true;
    }
}
