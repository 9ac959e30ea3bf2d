package io.replog.node.secondary;

import io.netty.channel.ChannelHandlerContext;
import io.replog.node.log.LogStore;
import io.replog.protocol.Ack;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * ACKs held until what they acknowledge is durable: a secondary acknowledges only what its flush policy counts as
 * stored, so its copy may count toward a write concern. Under a policy that counts what is written, nothing waits
 * here. The store's flusher releases the ACKs it made durable; each is written on its connection's event loop.
 *
 * <p>None is forgotten: {@link #hold} publishes the ACK, then reads the durable position; the flusher publishes the
 * position, then looks at the held ACKs. Whoever takes an ACK out of the queue sends it, so it is sent once.
 */
final class DurableAcks {
    private record Held(ChannelHandlerContext ctx, long requestId, long position) {
    }

    private final LogStore store;
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();

    DurableAcks(final LogStore store) {
        this.store = store;
    }

    /** On the connection's event loop: ACK {@code position} for {@code requestId} once it is durable. */
    void hold(final ChannelHandlerContext ctx, final long requestId, final long position) {
        final Held ack = new Held(ctx, requestId, position);
        held.add(ack);
        if (store.durableId() >= position && held.remove(ack)) {
            send(ack);
        } else if (store.failure() != null && held.remove(ack)) {
            refuse(ack, store.failure());
        }
    }

    /** From the thread that found it: the store can no longer make anything durable, so no held ACK will come. */
    void failed(final String why) {
        for (final Held ack : held) {
            if (held.remove(ack)) {
                ack.ctx().executor().execute(() -> refuse(ack, why));
            }
        }
    }

    private static void refuse(final Held ack, final String why) {
        if (ack.ctx().channel().isActive()) {
            // the master counts nothing for it and resends with backoff; a restart recovers what is on disk
            ack.ctx().writeAndFlush(new ErrorFrame(ack.requestId(), ErrorCode.REPLICATION_FAILED,
                "this secondary's disk failed: " + why), ack.ctx().voidPromise());
        }
    }

    /** From the store's flusher: everything up to {@code durable} is durable now. */
    void durable(final long durable) {
        for (final Held ack : held) {
            if (ack.position() <= durable && held.remove(ack)) {
                if (ack.ctx().executor().inEventLoop()) {
                    send(ack);
                } else {
                    ack.ctx().executor().execute(() -> send(ack));
                }
            }
        }
    }

    /** ACKs still held (for health). */
    int size() {
        return held.size();
    }

    /** Forgets every held ACK: the node is closing, or its master's connection is gone. */
    void clear() {
        held.clear();
    }

    private void send(final Held ack) {
        // a TRUNCATE may have cut below it meanwhile: no ACK is better than a false one (the master re-probes)
        if (ack.ctx().channel().isActive() && store.durableId() >= ack.position()) {
            ack.ctx().writeAndFlush(new Ack(ack.requestId(), ack.position(), store.epochAt(ack.position())),
                ack.ctx().voidPromise());
        }
    }
}
