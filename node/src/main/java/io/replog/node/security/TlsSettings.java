package io.replog.node.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.nio.file.Path;

/**
 * A node's TLS: its certificate and key (PEM) serve both ports, and present it as a client certificate on the
 * master's replication links. With a CA, peers' certificates are checked against it, and replication is mutual TLS:
 * a node takes peer frames only on a connection whose client certificate the CA signed. OpenSSL when it loads.
 */
public final class TlsSettings {
    private final SslContext server;
    private final SslContext client;
    private final boolean mutual;
    private final String description;

    private TlsSettings(final SslContext server, final SslContext client, final boolean mutual,
                        final String description) {
        this.server = server;
        this.client = client;
        this.mutual = mutual;
        this.description = description;
    }

    /**
     * @param ca PEM CA certificate(s) peers' certificates must chain to; null: the JDK's trusted CAs and no client
     *           certificates required
     * @throws SSLException naming what could not be read
     */
    public static TlsSettings load(final Path cert, final Path key, final Path ca) throws SSLException {
        try {
            final SslProvider provider = provider();
            final SslContextBuilder server = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .sslProvider(provider);
            final SslContextBuilder client = SslContextBuilder.forClient().keyManager(cert.toFile(), key.toFile())
                .sslProvider(provider);
            if (ca != null) {
                // OPTIONAL: clients (logctl, curl) need no certificate; replication does (ReplicationGuard)
                server.trustManager(ca.toFile()).clientAuth(ClientAuth.OPTIONAL);
                client.trustManager(ca.toFile());
            }
            return new TlsSettings(server.build(), client.build(), ca != null,
                "TLS (" + provider + ", " + cert.getFileName() + (ca != null ? ", mutual for replication, CA " + ca.getFileName() : "")
                    + ")");
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot read the TLS files (" + cert + ", " + key + (ca != null ? ", " + ca : "")
                + "): " + e.getMessage(), e);
        }
    }

    /**
     * OpenSSL (BoringSSL, bundled) when it loads here: on the benchmark machine 4× the throughput of the JDK's engine
     * and a fifth of its latency (BENCHMARKS.md); the JDK's provider otherwise.
     */
    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** For both ports of the node. */
    public SslContext server() {
        return server;
    }

    /** For the master's connections to its secondaries (and its take-back reads). */
    public SslContext client() {
        return client;
    }

    /** A CA was given: replication needs a client certificate it signed. */
    public boolean mutual() {
        return mutual;
    }

    /** Whether the connection behind {@code handler} presented a client certificate the CA verified. */
    public static boolean peerCertified(final SslHandler handler) {
        if (handler == null || !handler.handshakeFuture().isSuccess()) {
            return false;
        }
        try {
            return handler.engine().getSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
