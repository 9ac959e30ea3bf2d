package io.replog.node.role;

import io.netty.channel.ChannelHandlerContext;
import io.replog.node.log.LogStore;
import io.replog.node.status.NodeStatus;
import io.replog.protocol.ErrorFrame;


/**
 * The role a node plays now, as its connections see it: every request goes to the current role, so a node can
 * change role (a secondary becoming master and back) without restarting and without its clients reconnecting.
 */
public final class RoleSwitch implements NodeRole {
    private volatile NodeRole current;

    public RoleSwitch(final NodeRole initial) {
        this.current = initial;
    }

    public NodeRole current() {
        return current;
    }

    /** Installs {@code next} and returns the role it replaces (the caller stops that one). */
    public NodeRole swap(final NodeRole next) {
        final NodeRole previous = current;
        current = next;
        return previous;
    }

    @Override
    public String name() {
        return current.name();
    }

    @Override
    public LogStore log() {
        return current.log();
    }

    @Override
    public long readableId() {
        return current.readableId();
    }

    @Override
    public ErrorFrame checkAppend(final long requestId, final int w, final int payloadLength) {
        return current.checkAppend(requestId, w, payloadLength);
    }

    @Override
    public String readOnlyReason() {
        return current.readOnlyReason();
    }

    @Override
    public String masterHttpAddress() {
        return current.masterHttpAddress();
    }

    @Override
    public void append(final AppendRequest request) {
        current.append(request);
    }

    @Override
    public void peer(final ChannelHandlerContext ctx, final io.replog.protocol.Frame frame) {
        current.peer(ctx, frame);
    }

    @Override
    public ReplicationHold.Held holdReplication() {
        return current.holdReplication();
    }

    @Override
    public NodeStatus status() {
        return current.status();
    }
}
