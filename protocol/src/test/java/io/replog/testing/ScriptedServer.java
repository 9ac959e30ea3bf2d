package io.replog.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.replog.protocol.Frame;
import io.replog.protocol.FramingErrorHandler;
import io.replog.protocol.ProtocolPipeline;
import io.replog.protocol.Transport;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on loopback that speaks the replog codec (and refuses bad frames like a node) but answers as the test
 * scripts it: for clients tested against a node that stalls, refuses, or says things a real node would not.
 * Counts the connections it accepted, so a test can tell a client that reconnects once from one that loops.
 */
public final class ScriptedServer implements AutoCloseable {
    /** Called on the connection's event loop for every decoded frame, which is released after the call. */
    @FunctionalInterface
    public interface Script {
        void onFrame(ChannelHandlerContext ctx, Frame frame);
    }

    private final EventLoopGroup group;
    private final Channel listener;
    private final AtomicInteger accepted;

    private ScriptedServer(final EventLoopGroup group, final Channel listener, final AtomicInteger accepted) {
        this.group = group;
        this.listener = listener;
        this.accepted = accepted;
    }

    /** Listens on an ephemeral loopback port; frames longer than {@code maxFrameLength} are refused like a node. */
    public static ScriptedServer start(final int maxFrameLength, final Script script) {
        final EventLoopGroup group = Transport.group(1, "scripted-server");
        final AtomicInteger accepted = new AtomicInteger();
        final Channel listener = new ServerBootstrap().group(group).channel(Transport.serverChannel())
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    accepted.incrementAndGet();
                    ProtocolPipeline.addCodec(ch.pipeline(), maxFrameLength);
                    ch.pipeline().addLast(new SimpleChannelInboundHandler<Frame>(Frame.class) {
                        @Override
                        protected void channelRead0(final ChannelHandlerContext ctx, final Frame frame) {
                            script.onFrame(ctx, frame);
                        }
                    });
                    ch.pipeline().addLast(new FramingErrorHandler(line -> { }));
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        return new ScriptedServer(group, listener, accepted);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Stops listening (new connections are refused); connections already open stay. Safe on the event loop. */
    public void stopListening() {
        listener.close();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
