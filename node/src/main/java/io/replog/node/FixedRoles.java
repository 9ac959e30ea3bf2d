package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.cluster.Peers;

import java.net.InetSocketAddress;

/**
 * Fixed roles ({@code master}, {@code secondary}, {@code local}) as a configuration of the replication engine: a
 * static leader that never changes, and the flags as the engine's settings:
 * <ul>
 *   <li>the master is node 1 and its {@code --secondaries} nodes 2..N in order; a secondary knows no master address
 *       ({@link Peers#fixedSecondary});</li>
 *   <li>{@code --heartbeat-ms} is the engine's heartbeat, {@code --suspect-after-ms} and {@code --unhealthy-after-ms}
 *       its shortest and longest silences (a peer silent that long is Suspected, Unhealthy; a master that hears
 *       from fewer than its quorum for the longest turns read-only);</li>
 *   <li>{@code --quorum} is the static master's quorum; a starting master waits for it without limit and for the
 *       other secondaries up to {@code --unhealthy-after-ms} (as TakeBack waited for them).</li>
 * </ul>
 */
final class FixedRoles {
    private FixedRoles() {
    }

    static Peers masterPeers(final NodeConfig config) {
        return Peers.fixedMaster(new InetSocketAddress(config.bindHost(), config.port()),
            new InetSocketAddress(config.bindHost(), config.httpPort()), config.secondaries());
    }

    static Peers secondaryPeers(final NodeConfig config) {
        return Peers.fixedSecondary(new InetSocketAddress(config.bindHost(), config.port()),
            new InetSocketAddress(config.bindHost(), config.httpPort()));
    }

    static ReplicaSettings settings(final NodeConfig config) {
        // fixed roles allow unhealthy-after = suspect-after; the engine's two silences must differ (by 1 ms here)
        return new ReplicaSettings(config.suspectAfterMs(), Math.max(config.unhealthyAfterMs(),
            config.suspectAfterMs() + 1), config.heartbeatMs(), 1024, config.maxPendingAppends());
    }

    static Leadership leadership(final NodeConfig config) {
        return Leadership.staticLeader(Peers.FIXED_MASTER, config.unhealthyAfterMs(), config.quorum());
    }
}
