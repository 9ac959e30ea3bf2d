package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import io.replog.node.security.ClusterKey;
import io.replog.node.security.TlsSettings;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Who may replicate into this node (secondary), whom this node counts (master), and TLS on its ports. */
public final class SecurityFlags {
    @Option(names = "--cluster-key-file", defaultValue = "${env:REPLOG_CLUSTER_KEY_FILE}",
        description = "File holding the cluster's shared secret (the same on every node; at least 32 bytes, not "
            + "readable by group or others; env REPLOG_CLUSTER_KEY_FILE). Replication connections must prove it: "
            + "a secondary takes replication only from a master with the key, a master feeds and counts only "
            + "secondaries with it. Without it replication is not authenticated. Make one with: head -c 48 "
            + "/dev/urandom | base64 > FILE && chmod 600 FILE")
    Path clusterKeyFile;

    @Option(names = "--tls-cert", defaultValue = "${env:REPLOG_TLS_CERT}", paramLabel = "PEM",
        description = "This node's certificate chain (PEM; env REPLOG_TLS_CERT): both ports speak TLS, and the "
            + "master presents it to its secondaries. Needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:REPLOG_TLS_KEY}", paramLabel = "PEM",
        description = "The private key of --tls-cert (PEM, PKCS#8, unencrypted; env REPLOG_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--tls-ca", defaultValue = "${env:REPLOG_TLS_CA}", paramLabel = "PEM",
        description = "CA certificate(s) (PEM; env REPLOG_TLS_CA) peers' certificates must chain to: the master "
            + "checks its secondaries' against it, and replication becomes mutual TLS (a secondary takes it only "
            + "from a client certificate this CA signed). Without it the JDK's trusted CAs are used.")
    Path tlsCa;

    /** Loads the key into {@code config}; refuses (with what to do) a missing, short or too open file. */
    NodeConfig applyTo(final NodeConfig config) {
        if ((tlsCert == null) != (tlsKey == null) || tlsCa != null && tlsCert == null) {
            throw new IllegalArgumentException("TLS needs both --tls-cert and --tls-key (and --tls-ca only with them)");
        }
        try {
            if (clusterKeyFile != null) {
                config.clusterKey(ClusterKey.load(clusterKeyFile));
            }
            if (tlsCert != null) {
                config.tls(TlsSettings.load(tlsCert, tlsKey, tlsCa));
            }
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
