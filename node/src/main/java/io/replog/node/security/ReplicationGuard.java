package io.replog.node.security;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.replog.protocol.AuthChallenge;
import io.replog.protocol.AuthHello;
import io.replog.protocol.AuthMac;
import io.replog.protocol.AuthOk;
import io.replog.protocol.AuthProof;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.AppendEntriesReply;
import io.replog.protocol.VoteReply;
import io.replog.protocol.VoteRequest;
import io.replog.protocol.TailReply;
import io.replog.protocol.TailRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the binary port, as far as replication is concerned: answers the cluster-key handshake
 * (PROTOCOL.md, Authentication) and lets the peer frames (APPEND_ENTRIES, TAIL_*, VOTE_* and their replies) through
 * only once the connection proved the key — from the dialling side: this node checks a proof made with the role
 * "master". Without a key every frame
 * passes, as before keys existed. Client frames always pass.
 */
public final class ReplicationGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationGuard.class);

    private final ClusterKey key;
    private final AuthStats stats;
    /** Mutual TLS: replication also needs a client certificate the node's CA verified. */
    private final boolean requireCertificate;
    private boolean certified;
    private long logId;
    private byte[] nonceMaster;
    private byte[] nonceSecondary;
    private boolean authenticated;
    private boolean refusalLogged;

    /**
     * @param key                null when the node has none: replication from anyone (who has a certificate, when
     *                           {@code requireCertificate})
     * @param requireCertificate replication only on connections with a verified client certificate (mutual TLS)
     */
    public ReplicationGuard(final ClusterKey key, final AuthStats stats, final boolean requireCertificate) {
        this.key = key;
        this.stats = stats;
        this.requireCertificate = requireCertificate;
    }

    /** Without a key or TLS requirement, as before either existed. */
    public ReplicationGuard(final ClusterKey key, final AuthStats stats) {
        this(key, stats, false);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        if (msg instanceof AuthHello hello) {
            onHello(ctx, hello);
        } else if (msg instanceof AuthProof proof) {
            onProof(ctx, proof);
        } else if ((msg instanceof AppendEntries || msg instanceof AppendEntriesReply || msg instanceof VoteRequest
            || msg instanceof VoteReply || msg instanceof TailRequest || msg instanceof TailReply)
            && !mayReplicate(ctx)) {
            refuse(ctx, (Frame) msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private boolean mayReplicate(final ChannelHandlerContext ctx) {
        if (requireCertificate && !certified) {
            certified = TlsSettings.peerCertified(ctx.pipeline().get(SslHandler.class));
        }
        return (key == null || authenticated) && (!requireCertificate || certified);
    }

    private void onHello(final ChannelHandlerContext ctx, final AuthHello hello) {
        if (key == null) {
            stats.failedHandshake();
            ctx.writeAndFlush(new ErrorFrame(hello.requestId(), ErrorCode.UNAUTHORIZED, "this node has no cluster "
                + "key: it takes replication from any master (start it with --cluster-key-file to require the key)"),
                ctx.voidPromise());
            return;
        }
        if (nonceMaster != null || authenticated) {
            fail(ctx, hello.requestId(), "AUTH_HELLO twice on one connection");
            return;
        }
        logId = hello.logId();
        nonceMaster = hello.nonce();
        nonceSecondary = ClusterKey.nonce();
        ctx.writeAndFlush(new AuthChallenge(hello.requestId(), nonceSecondary,
            key.proof(AuthMac.SECONDARY, logId, nonceMaster, nonceSecondary)), ctx.voidPromise());
    }

    private void onProof(final ChannelHandlerContext ctx, final AuthProof proof) {
        if (key == null) {
            fail(ctx, proof.requestId(), "this node has no cluster key");
        } else if (nonceMaster == null || authenticated) {
            fail(ctx, proof.requestId(), authenticated ? "AUTH_PROOF twice on one connection"
                : "AUTH_PROOF before AUTH_HELLO");
        } else if (!key.verify(AuthMac.MASTER, logId, nonceMaster, nonceSecondary, proof.proof())) {
            fail(ctx, proof.requestId(), "the master's proof does not verify: its cluster key differs from this "
                + "node's");
        } else {
            authenticated = true;
            stats.authenticated();
            LOG.debug("replication from {} authenticated (log {})", ctx.channel().remoteAddress(),
                Long.toHexString(logId));
            ctx.writeAndFlush(new AuthOk(proof.requestId()), ctx.voidPromise());
        }
    }

    /** A failed handshake: told, counted, logged, and the connection closed (nothing more is worth hearing). */
    private void fail(final ChannelHandlerContext ctx, final long requestId, final String why) {
        stats.failedHandshake();
        stats.warn(LOG, "replication handshake from " + ctx.channel().remoteAddress() + " failed: " + why
            + "; closing the connection");
        ctx.writeAndFlush(new ErrorFrame(requestId, ErrorCode.UNAUTHORIZED, why))
            .addListener(ChannelFutureListener.CLOSE);
    }

    private String missing() {
        return key != null && !authenticated ? "a connection authenticated with the cluster key (AUTH_HELLO first)"
            : "a client certificate signed by this node's CA (mutual TLS)";
    }

    private void refuse(final ChannelHandlerContext ctx, final Frame frame) {
        ReferenceCountUtil.release(frame);
        stats.refusedFrame();
        if (!refusalLogged) {
            refusalLogged = true; // once per connection: a peer retrying in a loop does not flood the log
            stats.warn(LOG, "refusing replication from " + ctx.channel().remoteAddress() + ": it needs " + missing()
                + " (further refusals on this connection are only counted, see unauthorized_frames in /health)");
        }
        ctx.writeAndFlush(new ErrorFrame(frame.requestId(), ErrorCode.UNAUTHORIZED, "replication needs "
            + missing() + "; nothing was stored"), ctx.voidPromise());
    }
}
