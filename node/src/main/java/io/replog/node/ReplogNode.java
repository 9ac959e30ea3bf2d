package io.replog.node;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.replog.node.config.NodeConfig;
import io.replog.node.http.HttpBridgeInitializer;
import io.replog.node.master.Master;
import io.replog.node.secondary.Secondary;
import io.replog.node.server.EventLoops;
import io.replog.node.server.ConnectionLimits;
import io.replog.node.server.FrameServerInitializer;
import io.replog.node.server.ReadGate;
import io.replog.node.role.NodeRole;
import io.replog.protocol.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/** A running node: its role plus the two listening ports (binary protocol and HTTP bridge). */
public final class ReplogNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplogNode.class);

    private final NodeRole role;
    private final Channel frameChannel;
    private final Channel httpChannel;
    private final EventLoops ownedLoops;
    /** Every accepted connection, so that closing the node also drops its clients (as a crash would). */
    private final ChannelGroup connections;

    private ReplogNode(final NodeRole role, final Channel frameChannel, final Channel httpChannel,
                       final EventLoops ownedLoops, final ChannelGroup connections) {
        this.role = role;
        this.connections = connections;
        this.frameChannel = frameChannel;
        this.httpChannel = httpChannel;
        this.ownedLoops = ownedLoops;
    }

    /** Starts a master on {@code loops}; pass null to give the node event loops of its own. */
    public static ReplogNode master(final NodeConfig config, final EventLoops loops) {
        config.conclude();
        final EventLoops l = loops != null ? loops : EventLoops.standard("master");
        final Master master = new Master(config, l.workers());
        final ReplogNode node = bind(master, config, l, loops == null ? l : null);
        master.start();
        return node;
    }

    /** Starts a secondary on {@code loops}; pass null to give the node event loops of its own. */
    public static ReplogNode secondary(final NodeConfig config, final EventLoops loops) {
        config.conclude();
        final EventLoops l = loops != null ? loops : EventLoops.standard("secondary");
        final ReplogNode node = bind(new Secondary(config), config, l, loops == null ? l : null);
        LOG.info("secondary: ready{}", config.delayMs() > 0
            ? ", holding each replication request " + config.delayMs() + " ms before storing it" : "");
        return node;
    }

    private static ReplogNode bind(final NodeRole role, final NodeConfig config, final EventLoops loops,
                                   final EventLoops owned) {
        Channel frames = null;
        final ChannelGroup connections = new DefaultChannelGroup(role.name(), GlobalEventExecutor.INSTANCE);
        final ConnectionLimits limits = new ConnectionLimits(role.name(), config.maxConnections(),
            config.idleTimeoutMs());
        try {
            frames = listen(loops, new InetSocketAddress(config.bindHost(), config.port()), connections,
                new FrameServerInitializer(role, config.maxFrameLength(), limits));
            final Channel http = listen(loops, new InetSocketAddress(config.bindHost(), config.httpPort()),
                connections, new HttpBridgeInitializer(role, config.maxFrameLength(), limits));
            final ReplogNode node = new ReplogNode(role, frames, http, owned, connections);
            LOG.info("{}: binary protocol on {}, HTTP on {} ({} transport)", role.name(), node.port(),
                node.httpPort(), Transport.isEpoll() ? "epoll" : "nio");
            return node;
        } catch (RuntimeException e) {
            if (frames != null) {
                frames.close().awaitUninterruptibly();
            }
            if (role instanceof AutoCloseable c) {
                closeQuietly(c);
            }
            if (owned != null) {
                owned.close();
            }
            throw e;
        }
    }

    private static Channel listen(final EventLoops loops, final InetSocketAddress address,
                                  final ChannelGroup connections,
                                  final ChannelInitializer<SocketChannel> initializer) {
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(loops.boss(), loops.workers())
            .channel(Transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // a client that does not read its answers makes its connection unwritable: ReadGate stops reading it
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ReadGate.WATER_MARK)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    connections.add(ch);
                    ch.pipeline().addLast(initializer);
                }
            });
        try {
            return bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** Cuts every accepted connection (clients, and the master's replication link on a secondary), as a network
     * failure would; the node keeps listening. For fault tests and demos. */
    public void dropConnections() {
        connections.close().awaitUninterruptibly();
    }

    /** Every accepted connection of both ports, for tests that look at a connection from the node's side. */
    ChannelGroup connections() {
        return connections;
    }

    public NodeRole role() {
        return role;
    }

    /** The binary protocol port actually bound. */
    public int port() {
        return ((InetSocketAddress) frameChannel.localAddress()).getPort();
    }

    /** The HTTP port actually bound. */
    public int httpPort() {
        return ((InetSocketAddress) httpChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        frameChannel.close().awaitUninterruptibly();
        httpChannel.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
        if (role instanceof AutoCloseable c) {
            closeQuietly(c);
        }
        if (ownedLoops != null) {
            ownedLoops.close();
        }
        LOG.info("{}: stopped", role.name());
    }

    private static void closeQuietly(final AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while closing", e);
        }
    }
}
