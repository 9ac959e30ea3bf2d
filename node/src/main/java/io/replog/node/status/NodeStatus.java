package io.replog.node.status;

import java.util.List;
import java.util.Map;

/**
 * How a node is, the same shape in both modes (fixed roles and failover): the one source of {@code /health},
 * {@code /cluster} (the live page), {@code /metrics} and the HEALTH frame {@code logctl health} reads. Immutable: a
 * reading of volatile fields and counters at one moment, built by the node's {@link NodeStatusSource}.
 *
 * @param mode              fixed roles or failover
 * @param nodeId            the node's id in a failover cluster, 0 with fixed roles
 * @param name              how the node is named on its page ("node 3", "master", "secondary")
 * @param address           its binary host:port when known, else null
 * @param http              its HTTP host:port when known, else null
 * @param role              "master" or "secondary": whether it takes appends as master
 * @param replicaRole       "master", "candidate" or "secondary": a failover node may stand for election
 * @param epoch             the epoch it is in (of its log's last entry on a fixed secondary)
 * @param master            the master it knows (itself included), or null while it knows none
 * @param logId             the log's identity, in hex
 * @param lastId            highest msg_id in its log (written; it may not be durable yet)
 * @param durableId         highest msg_id its log holds durably
 * @param readableId        highest msg_id readers are served: what it holds durably with fixed roles, what it knows
 *                          to be committed in failover
 * @param readOnlyReason    why it refuses appends now (not the master, no quorum, a master that stepped down, its
 *                          disk failed), or null when it takes them
 * @param storageError      why its disk failed, or null
 * @param waitingAppends    appends waiting for their write concern (a master's)
 * @param maxPendingAppends the bound on them (--max-pending-appends)
 * @param maxMessageBytes   largest message it takes
 * @param clusterSize       nodes in the cluster: the highest w
 * @param quorum            nodes (itself included) that must be up for a master to take appends
 * @param committedByW      index w-1: highest msg_id held durably by at least w nodes; empty unless master
 * @param storedByW         index w-1: appends stored with write concern w; empty when not counted
 * @param flush             the log's flush policy (--flush)
 * @param faults            the fault injection it is configured with
 * @param lastElection      what the last election decided, or null with fixed roles
 * @param lastElectionMsAgo how long ago, -1 when none
 * @param peers             the other nodes it knows, as it sees them
 * @param details           what only one mode has (counters, the epoch history, …), shown as they are
 */
public record NodeStatus(Mode mode, int nodeId, String name, String address, String http, String role,
                         String replicaRole, long epoch, MasterRef master, String logId, long lastId, long durableId,
                         long readableId, String readOnlyReason, String storageError, int waitingAppends,
                         int maxPendingAppends, int maxMessageBytes, int clusterSize, int quorum,
                         List<Long> committedByW, List<Long> storedByW, String flush, Faults faults,
                         String lastElection, long lastElectionMsAgo, List<PeerStatus> peers,
                         Map<String, Object> details) {

    /** The two configurations of a node. */
    public enum Mode {
        /** {@code master}, {@code secondary}, {@code local}: the master always leads. */
        FIXED,
        /** {@code node --peers}, {@code local --failover}: the master is elected. */
        FAILOVER;

        /** "fixed" or "failover", as the JSON documents say it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The master a node knows: its id (0 with fixed roles), binary and HTTP host:port (null when unknown). */
    public record MasterRef(int id, String address, String http, boolean self) {
    }

    public boolean isMaster() {
        return "master".equals(role);
    }

    public boolean readOnly() {
        return readOnlyReason != null;
    }

    /** Nodes that count toward the quorum now: this one and its peers that are up. */
    public int nodesUp() {
        return 1 + (int) peers.stream().filter(p -> p.state().isUp()).count();
    }

    public static Builder builder(final Mode mode) {
        return new Builder(mode);
    }

    /** Builds a status field by field: the record has too many for a readable constructor call. */
    public static final class Builder {
        private final Mode mode;
        private int nodeId;
        private String name;
        private String address;
        private String http;
        private String role;
        private String replicaRole;
        private long epoch;
        private MasterRef master;
        private String logId;
        private long lastId;
        private long durableId;
        private long readableId;
        private String readOnlyReason;
        private String storageError;
        private int waitingAppends;
        private int maxPendingAppends;
        private int maxMessageBytes;
        private int clusterSize;
        private int quorum;
        private List<Long> committedByW = List.of();
        private List<Long> storedByW = List.of();
        private String flush;
        private Faults faults = Faults.NONE;
        private String lastElection;
        private long lastElectionMsAgo = -1;
        private List<PeerStatus> peers = List.of();
        private Map<String, Object> details = Map.of();

        private Builder(final Mode mode) {
            this.mode = mode;
        }

        public Builder node(final int id, final String nodeName, final String binary, final String httpAddress) {
            this.nodeId = id;
            this.name = nodeName;
            this.address = binary;
            this.http = httpAddress;
            return this;
        }

        public Builder role(final String asClients, final String inElections, final long inEpoch) {
            this.role = asClients;
            this.replicaRole = inElections;
            this.epoch = inEpoch;
            return this;
        }

        public Builder master(final MasterRef known) {
            this.master = known;
            return this;
        }

        public Builder log(final String id, final long last, final long durable, final long readable) {
            this.logId = id;
            this.lastId = last;
            this.durableId = durable;
            this.readableId = readable;
            return this;
        }

        public Builder readOnly(final String reason, final String diskFailure) {
            this.readOnlyReason = reason;
            this.storageError = diskFailure;
            return this;
        }

        public Builder appends(final int waiting, final int maxPending, final int maxBytes) {
            this.waitingAppends = waiting;
            this.maxPendingAppends = maxPending;
            this.maxMessageBytes = maxBytes;
            return this;
        }

        public Builder cluster(final int size, final int quorumOfNodes) {
            this.clusterSize = size;
            this.quorum = quorumOfNodes;
            return this;
        }

        public Builder byW(final List<Long> committed, final List<Long> stored) {
            this.committedByW = List.copyOf(committed);
            this.storedByW = List.copyOf(stored);
            return this;
        }

        public Builder settings(final String flushPolicy, final Faults injected) {
            this.flush = flushPolicy;
            this.faults = injected;
            return this;
        }

        public Builder election(final String what, final long msAgo) {
            this.lastElection = what;
            this.lastElectionMsAgo = msAgo;
            return this;
        }

        public Builder peers(final List<PeerStatus> others) {
            this.peers = List.copyOf(others);
            return this;
        }

        public Builder details(final Map<String, Object> modeSpecific) {
            this.details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(modeSpecific));
            return this;
        }

        public NodeStatus build() {
            return new NodeStatus(mode, nodeId, name, address, http, role, replicaRole, epoch, master, logId, lastId,
                durableId, readableId, readOnlyReason, storageError, waitingAppends, maxPendingAppends,
                maxMessageBytes, clusterSize, quorum, committedByW, storedByW, flush, faults, lastElection,
                lastElectionMsAgo, peers, details);
        }
    }
}
