package io.replog.node.status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The health report ({@code GET /health} and the binary HEALTH answer {@code logctl health} reads) of a
 * {@link NodeStatus}: the same keys in both modes, in a fixed order, then what only one mode has. A position or a
 * silence a node does not know is null rather than a made-up number.
 */
public final class HealthReport {
    private HealthReport() {
    }

    public static Map<String, Object> of(final NodeStatus s) {
        final Map<String, Object> h = new LinkedHashMap<>();
        h.put("role", s.role());
        h.put("read_only", s.readOnly());
        if (s.readOnly()) {
            h.put("read_only_reason", s.readOnlyReason());
        }
        h.put("mode", s.mode().label());
        h.put("node_id", s.nodeId());
        h.put("name", s.name());
        h.put("address", s.address());
        h.put("http", s.http());
        h.put("replica_role", s.replicaRole());
        h.put("epoch", s.epoch());
        final NodeStatus.MasterRef master = s.master();
        h.put("master_id", master == null ? 0 : master.id());
        h.put("master", master == null ? null : master.address());
        h.put("master_http", master == null ? null : master.http());
        final Map<String, Object> election = new LinkedHashMap<>();
        election.put("what", s.lastElection() == null ? "none (fixed roles)" : s.lastElection());
        election.put("ms_ago", s.lastElectionMsAgo());
        h.put("last_election", election);
        h.put("log_id", s.logId());
        h.put("last_msg_id", s.lastId());
        h.put("durable_msg_id", s.durableId());
        h.put("readable_msg_id", s.readableId());
        if (s.storageError() != null) {
            h.put("storage_error", s.storageError());
        }
        h.put("quorum", s.quorum());
        h.put("max_w", s.clusterSize());
        h.put("max_message_bytes", s.maxMessageBytes());
        h.put("pending_appends", s.waitingAppends());
        h.put("max_pending_appends", s.maxPendingAppends());
        h.put("flush", s.flush());
        final Faults f = s.faults();
        h.put("delay_ms", f.delayMs());
        h.put("fail_rate", f.failRate());
        h.put("drop_rate", f.dropRate());
        h.put("injected_failures", f.injectedFailures());
        h.put("injected_drops", f.injectedDrops());
        s.details().forEach(h::putIfAbsent);
        final List<Map<String, Object>> peers = new ArrayList<>();
        for (final PeerStatus p : s.peers()) {
            peers.add(peer(p));
        }
        h.put("peers", peers);
        return h;
    }

    /**
     * One peer. Address, status, reason, acked and lag come first, in that order, as the fixed master's report has
     * always had them (scripts match that stretch).
     */
    private static Map<String, Object> peer(final PeerStatus p) {
        final Map<String, Object> peer = new LinkedHashMap<>();
        peer.put("address", p.address());
        peer.put("status", p.state().name());
        if (p.reason() != null) {
            peer.put("reason", p.reason());
        }
        peer.put("acked", p.ackedId() < 0 ? null : p.ackedId());
        peer.put("lag", p.lag() < 0 ? null : p.lag());
        peer.put("id", p.id());
        peer.put("name", p.name());
        peer.put("http", p.http());
        peer.put("role", p.role());
        peer.put("connection", p.connection());
        peer.put("connected", p.connected());
        peer.put("last_answer_ms_ago", p.lastHeardMsAgo() < 0 ? null : p.lastHeardMsAgo());
        return peer;
    }
}
