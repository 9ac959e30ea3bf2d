package io.replog.protocol;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** TLS pieces shared by every client of the binary protocol (logctl, the master's links, its take-back). */
public final class Tls {
    private Tls() {
    }

    /**
     * A client-side handler for a connection to {@code host:port} that checks the peer's certificate against the
     * context's trust and its name against {@code host} (as HTTPS does), so a certificate of another host does not
     * pass.
     */
    public static SslHandler clientHandler(final SslContext context, final ByteBufAllocator alloc, final String host,
                                           final int port) {
        final SslHandler handler = context.newHandler(alloc, host, port);
        final SSLEngine engine = handler.engine();
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }
}
