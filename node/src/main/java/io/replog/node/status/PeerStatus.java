package io.replog.node.status;

/**
 * One peer as a node sees it, the same in both modes: a fixed master's secondaries, a fixed secondary's master, a
 * failover node's other nodes.
 *
 * @param id              the peer's node id in a failover cluster; 0 with fixed roles (nodes have no ids there)
 * @param name            how the page and logctl name it ("node 2", or a fixed secondary's host:port)
 * @param address         its binary host:port, or null when this node does not know it (a fixed secondary's master
 *                        dials in)
 * @param http            its HTTP host:port, or null when unknown
 * @param role            "master" or "secondary", as this node knows it
 * @param reason          why it is not Healthy; null when it is
 * @param ackedId         highest msg_id it holds durably as this node counts it (toward w); -1 when this node does
 *                        not track it (only a master does)
 * @param lag             messages this node holds that the peer does not hold durably; -1 when unknown
 * @param lastHeardMsAgo  how long since it last answered (or, for a secondary's master, last sent); -1 never
 * @param connected       whether a connection to (or from) it is up now
 * @param connection      the link's own state in words ("STREAMING", "connected", …)
 * @param batchesSent     replication batches sent to it, resends included; -1 when not counted
 */
public record PeerStatus(int id, String name, String address, String http, String role, PeerState state,
                         String reason, long ackedId, long lag, long lastHeardMsAgo, boolean connected,
                         String connection, long batchesSent) {
}
