package io.replog.protocol.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.ReplogException;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests of one {@link ReplogClient} connection still waiting for an answer, matched by request id, and what
 * fails them: the node's refusal, a lost connection, or a peer that is not a replog node at all. Answers arrive
 * through its {@link ResponseHandler} on the event loop; requests are added from any thread. Thread-safe.
 */
final class InFlightRequests {
    private final String peer;
    private final FirstBytes firstBytes;
    private final Map<Long, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
    /** Set once a frame from the node decoded: from then on a bad answer is a broken connection, not a foreign peer. */
    private volatile boolean answered;
    /** The framing error the node closed the connection with, if it did. */
    private volatile ReplogException refusedBy;
    /** What fails the requests still pending when the connection closes, and any sent after. */
    private volatile ReplogException closeCause =
        new ReplogException(ReplogException.CONNECTION_LOST, "connection closed");

    InFlightRequests(final String peer, final FirstBytes firstBytes) {
        this.peer = peer;
        this.firstBytes = firstBytes;
    }

    /** What fails a request sent on a closed connection, or still pending when it closes. */
    ReplogException closeCause() {
        return closeCause;
    }

    void add(final long requestId, final CompletableFuture<Frame> answer) {
        pending.put(requestId, answer);
    }

    void complete(final Frame answer) {
        answered = true;
        final CompletableFuture<Frame> future = pending.remove(answer.requestId());
        if (answer instanceof ErrorFrame error) {
            final ReplogException refused = new ReplogException(error.code(), error.message());
            if (future != null) {
                future.completeExceptionally(refused);
            }
            if (ErrorCode.isFraming(error.code())) {
                // the node closes the connection next; requests sent after this were not refused, only cut off
                refusedBy = refused;
                closeCause = new ReplogException(ReplogException.CONNECTION_LOST,
                    "the node closed the connection after " + refused);
                if (error.requestId() == 0) {
                    // it could not read which request it refused: none of those pending can be trusted to succeed
                    failAll(refused);
                }
            }
            return;
        }
        if (future == null || !future.complete(answer)) {
            // nobody waits for it (the caller gave up and cancelled): its bytes are ours to release
            ReferenceCountUtil.release(answer);
        }
    }

    void fail(final long requestId, final ReplogException e) {
        final CompletableFuture<Frame> future = pending.remove(requestId);
        if (future != null) {
            future.completeExceptionally(e);
        }
    }

    /** Fails every pending request with the {@link #closeCause()}: the connection is closed. */
    void failAll() {
        failAll(closeCause);
    }

    private void failAll(final ReplogException cause) {
        for (final Long id : pending.keySet()) {
            fail(id, cause);
        }
    }

    /** The connection failed on our side (the node's bytes could not be decoded, or the socket broke). */
    void onFailure(final Throwable cause) {
        if (refusedBy != null) {
            // the node refused our bytes and closed (often with a reset, as our unread bytes were still queued):
            // the refusal is the news, not the reset
            return;
        }
        if (!answered && cause instanceof DecoderException) {
            closeCause = new ReplogException(ReplogException.NOT_REPLOG_PEER,
                peer + " does not speak the replog protocol: " + firstBytes.describe());
        } else {
            closeCause = new ReplogException(ReplogException.CONNECTION_LOST,
                "connection failed: " + cause.getMessage());
        }
    }

    /** The end of the client's pipeline; frames and failures before {@link #attach} (while connecting) are dropped. */
    static final class ResponseHandler extends SimpleChannelInboundHandler<Frame> {
        private volatile InFlightRequests requests;

        ResponseHandler() {
            super(Frame.class, false);
        }

        void attach(final InFlightRequests inFlight) {
            this.requests = inFlight;
        }

        @Override
        public boolean isSharable() {
            return false;
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Frame frame) {
            final InFlightRequests r = requests;
            if (r == null) {
                ReferenceCountUtil.release(frame);
                return;
            }
            r.complete(frame);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            final InFlightRequests r = requests;
            if (r != null) {
                r.onFailure(cause);
            }
            ctx.close();
        }
    }
}
