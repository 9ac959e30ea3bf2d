package io.replog.node.cluster;

import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.Replica;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.log.LogStore;
import io.replog.node.security.AuthStats;
import io.replog.node.status.NodeStatus;
import io.replog.node.status.PeerStatus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The node's typed {@link NodeStatus} (behind /health, the page, /metrics and {@code logctl health}), the same in
 * both modes. Built on event loops and the metrics thread from what the replica's thread last published (its
 * {@link #publish tick}, its role change) and the links' states, never by asking that thread: a status read must
 * not wait behind a backlog of appends.
 */
final class RoleStatus {
    /**
     * What the replica's thread published at its last tick: its progress with each peer (null entries on a node that
     * is not master), in {@link Peers#others()} order, and how long it had not heard from its master (-1: no master
     * known, or this node is master); {@code atNanos} is when, so the silences keep growing if the thread stalls.
     */
    private record Progress(long atNanos, Replica.PeerProgress[] peers, long masterSilentNanos) {
    }

    private final Peers peers;
    private final LogStore log;
    private final PeerLinks links;
    private final ReplicaSettings settings;
    private final PeerFaultInjection faults;
    private final RoleState state;
    private final AppendAnswers appends;
    /** The other nodes' ids, ascending: the order of {@link Progress#peers} and of the health report's peers. */
    private final int[] others;
    private volatile Progress progress;
    private volatile int waiting;
    private volatile String lastElection = "none yet";
    private volatile long lastElectionMillis;
    private volatile AuthStats authStats;
    private volatile boolean authenticates;
    /** Messages this node cut from its log (conflicting with its master's): a fixed secondary shows them. */
    private volatile LongSupplier rolledBack = () -> 0;
    /** The log's flush policy, for the status. */
    private volatile String flush;

    RoleStatus(final Peers peers, final LogStore log, final PeerLinks links, final ReplicaSettings settings,
               final PeerFaultInjection faults, final RoleState state, final AppendAnswers appends) {
        this.peers = peers;
        this.log = log;
        this.links = links;
        this.settings = settings;
        this.faults = faults;
        this.state = state;
        this.appends = appends;
        this.others = peers.others();
        this.progress = new Progress(System.nanoTime(), new Replica.PeerProgress[others.length], -1);
    }

    /** On the replica's thread after every tick: what it knows of its peers and its waiting appends. */
    void publish(final Replica replica) {
        waiting = replica.waitingAppends();
        final Replica.PeerProgress[] each = new Replica.PeerProgress[others.length];
        for (int i = 0; i < others.length; i++) {
            each[i] = replica.progressOf(others[i]);
        }
        progress = new Progress(System.nanoTime(), each, replica.masterSilentNanos());
    }

    /** The last election this node saw (who became master, and why), shown with how long ago. */
    void election(final String what) {
        lastElection = what;
        lastElectionMillis = System.currentTimeMillis();
    }

    /** See {@link ReplicatedRole#authStats}. */
    void authStats(final AuthStats stats, final boolean withKey) {
        authStats = stats;
        authenticates = withKey;
    }

    /** See {@link ReplicatedRole#rolledBack}. */
    void rolledBack(final LongSupplier count) {
        rolledBack = count;
    }

    /** See {@link ReplicatedRole#statusSettings}. */
    void flushPolicy(final String flushPolicy) {
        this.flush = flushPolicy;
    }

    /** The status as of now: {@code name} and {@code readableId} are the role's, which the read policy decides. */
    NodeStatus build(final String name, final long readableId) {
        final RoleState.View v = state.view();
        final boolean master = v.leads();
        final List<PeerStatus> others = peerStatuses(v);
        final List<Long> committed = new ArrayList<>();
        if (master) {
            for (int w = 1; w <= peers.size(); w++) {
                committed.add(heldBy(w, others));
            }
        }
        final String storage = state.storageError();
        final int self = peers.self();
        final Leadership led = state.leadership();
        return NodeStatus.builder(led.isStatic() ? NodeStatus.Mode.FIXED : NodeStatus.Mode.FAILOVER)
            .node(self, "node " + self, peers.hostPort(self), peers.httpHostPort(self))
            .role(name, v.leads() ? "master"
                : v.role() == Replica.Role.CANDIDATE ? "candidate" : "secondary", v.epoch())
            .master(v.masterId() == Replica.NOBODY ? null : new NodeStatus.MasterRef(v.masterId(),
                peers.hostPort(v.masterId()), peers.httpHostPort(v.masterId()), v.masterId() == self))
            .log(Long.toHexString(log.logId()), log.lastId(), log.durableId(), readableId)
            .readOnly(state.readOnly(v, storage), storage)
            .appends(waiting, appends.maxQueued(), appends.maxPayload())
            .cluster(peers.size(), led.quorum() > 0 ? led.quorum() : peers.size() / 2 + 1)
            .byW(committed, master ? appends.storedCounts() : List.of())
            .settings(flush, faults.faults())
            .election(lastElection, lastElectionMillis == 0 ? -1 : System.currentTimeMillis() - lastElectionMillis)
            .peers(others)
            .details(led.isStatic() && !master ? secondaryDetails() : Map.of())
            .build();
    }

    /** What a fixed secondary's report has always said beyond the common status: when it last heard its master. */
    private Map<String, Object> secondaryDetails() {
        final Progress p = progress;
        final long silentMs = p == null || p.masterSilentNanos() < 0 ? -1
            : (p.masterSilentNanos() + System.nanoTime() - p.atNanos()) / 1_000_000L;
        final Map<String, Object> details = new LinkedHashMap<>();
        details.put("master_last_seen_ms_ago", silentMs);
        details.put("rolled_back", rolledBack.getAsLong());
        final AuthStats auth = authStats;
        if (auth != null) {
            details.put("replication_auth", authenticates ? "cluster key" : "none");
            details.put("unauthorized_frames", auth.refusedFrames());
            details.put("failed_handshakes", auth.failedHandshakes());
        }
        return details;
    }

    /**
     * Each peer as of the replica's last tick, judged by {@link PeerHealth} from its link, its refusals and its
     * silence (the replica's last tick plus the time since, so a stalled replica thread shows its peers growing
     * silent). Only a master tracks each peer's position; a secondary tracks only its master's silence.
     */
    private List<PeerStatus> peerStatuses(final RoleState.View v) {
        final Progress p = progress;
        final long now = System.nanoTime();
        final long sinceTick = now - p.atNanos();
        final List<PeerStatus> statuses = new ArrayList<>(others.length);
        final long[] marks = log.marks();
        final long lastId = log.lastId();
        final boolean fixed = state.isStatic();
        for (int i = 0; i < others.length; i++) {
            final int id = others[i];
            final Replica.PeerProgress known = v.leads() ? p.peers()[i] : null;
            final long silentNanos = known != null ? known.silentNanos()
                : id == v.masterId() ? p.masterSilentNanos() : -1;
            final long silentMs = silentNanos < 0 ? -1 : (silentNanos + sinceTick) / 1_000_000L;
            final boolean connected = links.connected(id);
            final boolean isMaster = id == v.masterId();
            final String unauthorized = links.unauthorized(id);
            final PeerLinks.Refusal refused = links.refused(id);
            final long refusedMsAgo = refused == null ? -1 : (now - refused.atNanos()) / 1_000_000L;
            final PeerHealth health = PeerHealth.of(unauthorized, connected, refused, refusedMsAgo, silentMs, isMaster,
                settings, fixed);
            final long acked = known == null ? -1 : IndexMap.msgIdAt(marks, known.durableId());
            // fixed roles name a secondary by its address and its link by the old sender's states (README)
            statuses.add(new PeerStatus(id, fixed && peers.hostPort(id) != null ? peers.hostPort(id) : "node " + id,
                peers.hostPort(id), peers.httpHostPort(id), isMaster ? "master" : "secondary", health.state(),
                health.reason(), acked, acked < 0 ? -1 : Math.max(0, lastId - acked), silentMs, connected,
                fixed ? (connected ? "STREAMING" : "CONNECTING") : connected ? "connected" : "not connected",
                links.batchesSent(id)));
        }
        return statuses;
    }

    /**
     * As master, the highest msg_id held durably by at least {@code w} nodes (this one's log and what each peer
     * reported), as a fixed-role master reports per w.
     */
    private long heldBy(final int w, final List<PeerStatus> others) {
        final long lastId = log.lastId();
        final long[] held = new long[peers.size()];
        held[0] = log.durableId();
        int i = 1;
        for (final PeerStatus p : others) {
            held[i++] = Math.max(0, Math.min(p.ackedId(), lastId));
        }
        Arrays.sort(held); // ascending: the w-th highest is held[size - w]
        return held[held.length - w];
    }
}
