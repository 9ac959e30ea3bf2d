package io.replog.protocol;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLEngine;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pieces every connection is built from: the transport the platform offers, and a TLS client that checks names. */
class TransportAndTlsTest {
    @Test
    void epollIsUsedExactlyWhereThePlatformHasItAndNobodyTurnedItOff() {
        final boolean expected = Epoll.isAvailable() && !Boolean.getBoolean("replog.noEpoll");
        assertEquals(expected, Transport.isEpoll());
        assertEquals(expected, Transport.socketChannel() == EpollSocketChannel.class);
        assertEquals(!expected, Transport.serverChannel() == NioServerSocketChannel.class);
        final EventLoopGroup group = Transport.group(1, "transport-test");
        try {
            final Class<?> kind = expected ? EpollEventLoopGroup.class : NioEventLoopGroup.class;
            assertEquals(kind, group.getClass());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aTlsClientChecksThePeersCertificateAgainstTheHostItDialled() throws Exception {
        final SslHandler handler = Tls.clientHandler(SslContextBuilder.forClient().build(),
            UnpooledByteBufAllocator.DEFAULT, "replog-2.example", 7001);
        final SSLEngine engine = handler.engine();
        try {
            assertEquals("HTTPS", engine.getSSLParameters().getEndpointIdentificationAlgorithm(),
                "a certificate of another host does not pass");
            assertEquals("replog-2.example", engine.getPeerHost());
            assertEquals(7001, engine.getPeerPort());
        } finally {
            engine.closeOutbound();
            io.netty.util.ReferenceCountUtil.release(engine);
        }
    }
}
