package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import io.replog.node.security.ClusterKey;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Who may replicate into this node (secondary), and whom this node counts (master). */
public final class SecurityFlags {
    @Option(names = "--cluster-key-file", defaultValue = "${env:REPLOG_CLUSTER_KEY_FILE}",
        description = "File holding the cluster's shared secret (the same on every node; at least 32 bytes, not "
            + "readable by group or others; env REPLOG_CLUSTER_KEY_FILE). Replication connections must prove it: "
            + "a secondary takes replication only from a master with the key, a master feeds and counts only "
            + "secondaries with it. Without it replication is not authenticated. Make one with: head -c 48 "
            + "/dev/urandom | base64 > FILE && chmod 600 FILE")
    Path clusterKeyFile;

    /** Loads the key into {@code config}; refuses (with what to do) a missing, short or too open file. */
    NodeConfig applyTo(final NodeConfig config) {
        if (clusterKeyFile == null) {
            return config;
        }
        try {
            return config.clusterKey(ClusterKey.load(clusterKeyFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
