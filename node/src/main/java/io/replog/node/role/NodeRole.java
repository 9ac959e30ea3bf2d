package io.replog.node.role;

import io.netty.channel.ChannelHandlerContext;
import io.replog.node.log.LogStore;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;

import io.replog.node.status.HealthReport;
import io.replog.node.status.NodeStatusSource;

import java.util.Map;

/**
 * What a node does with the requests that differ by role. The binary protocol handler and the HTTP bridge both
 * call it, so both interfaces always behave the same.
 */
public interface NodeRole extends NodeStatusSource {

    /** "master" or "secondary". */
    String name();

    /** The node's log. */
    LogStore log();

    /**
     * Highest msg_id clients may read: on the master what its log holds durably (an entry a crash could still take
     * back is never shown), on a secondary its contiguous prefix; in a failover cluster what the node knows to be
     * committed.
     */
    long readableId();

    /**
     * Checks an append before it is queued; returns null when acceptable, else the ERROR to answer with.
     * Called on an event loop.
     */
    ErrorFrame checkAppend(long requestId, int w, int payloadLength);

    /**
     * Why this node, as master, refuses appends now (starting, no quorum, its disk failed), or null when
     * it takes them or is not the master. Reading it counts nothing, unlike {@link #checkAppend}.
     */
    default String readOnlyReason() {
        return null;
    }

    /**
     * host:port where HTTP clients reach the master, when this node is not the master and knows which node is:
     * the HTTP bridge redirects refused appends there. Null otherwise (and for fixed roles).
     */
    default String masterHttpAddress() {
        return null;
    }

    /** Queues a checked append; the answer goes to the request's sink. Called on an event loop. */
    void append(AppendRequest request);

    /**
     * A frame from another node of the cluster arrived (VOTE_REQUEST, VOTE_REPLY, APPEND_ENTRIES,
     * APPEND_ENTRIES_REPLY, TAIL_REQUEST, TAIL_REPLY): to the replication engine.
     */
    void peer(ChannelHandlerContext ctx, Frame frame);

    /**
     * Holds the replication requests that store entries on this node until the hold is released (test-only fault
     * injection, see {@link ReplicationHold}): a secondary's inconsistency window on demand.
     *
     * @throws UnsupportedOperationException on a node that is not replicated to (a fixed master)
     */
    default ReplicationHold.Held holdReplication() {
        throw new UnsupportedOperationException("this node is a " + name() + ": nothing is replicated to it to hold");
    }

    /** The health report ({@code /health}, the HEALTH frame), as JSON-ready values: rendered from the status. */
    default Map<String, Object> health() {
        return HealthReport.of(status());
    }
}
