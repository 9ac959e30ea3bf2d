package io.replog.node.security;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.replog.protocol.AuthChallenge;
import io.replog.protocol.AuthHello;
import io.replog.protocol.AuthMac;
import io.replog.protocol.AuthOk;
import io.replog.protocol.AuthProof;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The master's side of the cluster-key handshake, first thing on a replication connection: AUTH_HELLO, check the
 * secondary's proof (before proving anything: a peer without the key gets nothing it could use elsewhere), AUTH_PROOF,
 * AUTH_OK. Until it reports success nothing else is sent and nothing the peer says counts; then it leaves the
 * pipeline. Everything runs on the connection's event loop.
 */
public final class MasterHandshake extends ChannelInboundHandlerAdapter {
    /** What the sender learns. */
    public interface Outcome {
        /** The secondary proved the key and accepted the master's proof: replicate. */
        void authenticated(io.netty.channel.Channel channel);

        /**
         * The handshake failed; the connection is being closed. {@code unauthorized}: because of the key (a wrong
         * proof, no key on the secondary), as opposed to a connection that broke or did not answer in time.
         */
        void failed(io.netty.channel.Channel channel, String why, boolean unauthorized);
    }

    private static final long HELLO_ID = 1;
    private static final long PROOF_ID = 2;

    private final ClusterKey key;
    private final LongSupplier logId;
    private final long timeoutMs;
    private final Outcome outcome;
    private byte[] nonceMaster;
    private long sentLogId;
    private ScheduledFuture<?> timeout;
    private boolean done;

    /** @param logId the master's log, read when the connection opens (a new master may adopt one at start) */
    public MasterHandshake(final ClusterKey key, final LongSupplier logId, final long timeoutMs,
                           final Outcome outcome) {
        this.key = key;
        this.logId = logId;
        this.timeoutMs = timeoutMs;
        this.outcome = outcome;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) {
        nonceMaster = ClusterKey.nonce();
        sentLogId = logId.getAsLong();
        timeout = ctx.executor().schedule(() -> fail(ctx, "no answer to the handshake for " + timeoutMs + " ms",
            false), timeoutMs, TimeUnit.MILLISECONDS);
        ctx.writeAndFlush(new AuthHello(HELLO_ID, sentLogId, nonceMaster), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        if (done) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (msg instanceof AuthChallenge challenge && challenge.requestId() == HELLO_ID) {
                if (!key.verify(AuthMac.SECONDARY, sentLogId, nonceMaster, challenge.nonce(), challenge.proof())) {
                    fail(ctx, "its proof does not verify: its cluster key differs from this master's", true);
                    return;
                }
                ctx.writeAndFlush(new AuthProof(PROOF_ID, key.proof(AuthMac.MASTER, sentLogId, nonceMaster,
                    challenge.nonce())), ctx.voidPromise());
            } else if (msg instanceof AuthOk ok && ok.requestId() == PROOF_ID) {
                done = true;
                timeout.cancel(false);
                ctx.pipeline().remove(this);
                outcome.authenticated(ctx.channel());
            } else if (msg instanceof ErrorFrame error) {
                fail(ctx, "it refused the handshake (" + ErrorCode.name(error.code()) + ": " + error.message() + ")",
                    error.code() == ErrorCode.UNAUTHORIZED || error.code() == ErrorCode.UNKNOWN_TYPE);
            } else {
                fail(ctx, "it answered the handshake with " + msg, true);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) {
        fail(ctx, "the connection closed during the handshake", false);
        ctx.fireChannelInactive();
    }

    private void fail(final ChannelHandlerContext ctx, final String why, final boolean unauthorized) {
        if (done) {
            return;
        }
        done = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        ctx.close();
        outcome.failed(ctx.channel(), why, unauthorized);
    }
}
