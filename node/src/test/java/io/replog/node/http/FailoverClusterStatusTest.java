package io.replog.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.cluster.FailoverNodes;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /cluster on the nodes of a real failover cluster (three nodes in this process, over loopback): every node
 * describes itself, the master it knows and its peers; the master's document follows each peer's position, and
 * the documents follow a stopped peer and a new master.
 */
class FailoverClusterStatusTest {
    private FailoverNodes cluster;

    @BeforeEach
    void start() {
        cluster = FailoverNodes.start();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** Row {@code index} of a document's nodes, checked to be node {@code id}. */
    private static JsonNode row(final JsonNode doc, final int index, final int id) {
        final JsonNode row = doc.path("nodes").get(index);
        assertEquals(id, row.path("id").asInt(), doc.toString());
        return row;
    }

    /** The other two ids in ascending order: the order of a node's peer rows. */
    private static int[] others(final int self) {
        return java.util.stream.IntStream.rangeClosed(1, 3).filter(id -> id != self).toArray();
    }

    private void appendW(final int master, final int count, final int w) {
        try (ReplogClient c = cluster.client(master)) {
            final List<CompletableFuture<Long>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                answers.add(c.append("status-" + i, w));
            }
            answers.forEach(Await::result);
        }
    }

    @Test
    void theMasterAndASecondaryDescribeTheSameClusterAndFollowTheAppends() {
        final int master = cluster.awaitMaster(0);
        final int secondary = cluster.secondaryOf(master);
        final String masterAddress = "127.0.0.1:" + cluster.port(master);
        final String masterHttp = "127.0.0.1:" + cluster.httpPort(master);
        Await.until("the master sees both peers Healthy at its own position", () -> {
            final JsonNode m = cluster.json(master, "/cluster");
            final long last = m.path("last_msg_id").asLong();
            for (int i = 1; i <= 2; i++) {
                final JsonNode peer = m.path("nodes").get(i);
                if (!peer.path("status").asText().equals("Healthy") || peer.path("position").asLong(-1) != last) {
                    return false;
                }
            }
            return true;
        });

        final JsonNode m = cluster.json(master, "/cluster");
        assertEquals("failover", m.path("mode").asText());
        assertEquals("master", m.path("role").asText());
        assertEquals("master", m.path("replica_role").asText());
        assertEquals(master, m.path("node_id").asInt());
        assertEquals(master, m.path("master").path("id").asInt());
        assertEquals(masterAddress, m.path("master").path("address").asText());
        assertEquals(masterHttp, m.path("master").path("http").asText());
        assertFalse(m.path("read_only").asBoolean());
        assertEquals(0, m.path("pending_appends").asInt(), m.toString());
        assertTrue(m.path("last_election").path("what").asText().contains("node " + master + " became master"),
            m.toString());
        final long before = m.path("last_msg_id").asLong();
        assertEquals(0, before, "a fresh cluster: the new master's epoch mark takes no msg_id: " + m);
        assertEquals(3, m.path("nodes").size(), m.toString());
        final JsonNode self = row(m, 0, master);
        assertTrue(self.path("self").asBoolean());
        assertEquals("node " + master, self.path("name").asText());
        assertEquals(masterAddress, self.path("address").asText());
        assertEquals("master", self.path("role").asText());
        assertEquals("Writable", self.path("status").asText());
        assertEquals(before, self.path("position").asLong());
        final int[] peers = others(master);
        for (int i = 0; i < 2; i++) {
            final JsonNode peer = row(m, i + 1, peers[i]);
            assertFalse(peer.path("self").asBoolean());
            assertEquals("secondary", peer.path("role").asText());
            assertEquals("127.0.0.1:" + cluster.port(peers[i]), peer.path("address").asText());
            assertEquals("127.0.0.1:" + cluster.httpPort(peers[i]), peer.path("http").asText());
            assertEquals("connected", peer.path("connection").asText());
            assertEquals(0, peer.path("lag").asLong(), peer.toString());
            assertTrue(peer.path("last_answer_ms_ago").asLong(-1) >= 0, peer.toString());
            assertTrue(peer.path("reason").isMissingNode(), peer.toString());
        }

        final JsonNode s = cluster.json(secondary, "/cluster");
        assertEquals("secondary", s.path("role").asText());
        assertEquals("secondary", s.path("replica_role").asText());
        assertEquals(secondary, s.path("node_id").asInt());
        assertEquals(m.path("node_id").asInt(), s.path("master").path("id").asInt(), "the master it knows");
        assertEquals(masterAddress, s.path("master").path("address").asText());
        assertEquals(masterHttp, s.path("master").path("http").asText());
        assertEquals(m.path("epoch").asLong(), s.path("epoch").asLong());
        assertEquals(m.path("log_id").asText(), s.path("log_id").asText(), "one cluster, one log");
        assertTrue(s.path("commit").isMissingNode(), s.toString());
        assertEquals(0, s.path("pending_appends").asInt(-1), "the same keys on every node: " + s);
        assertTrue(s.path("read_only").asBoolean(), s.toString());
        assertTrue(s.path("read_only_reason").asText().startsWith("not the master; master at " + masterAddress),
            s.toString());
        assertEquals(3, s.path("nodes").size(), s.toString());
        final JsonNode sSelf = row(s, 0, secondary);
        assertTrue(sSelf.path("self").asBoolean());
        assertEquals("secondary", sSelf.path("role").asText());
        final int[] sPeers = others(secondary);
        for (int i = 0; i < 2; i++) {
            final JsonNode peer = row(s, i + 1, sPeers[i]);
            assertEquals(sPeers[i] == master ? "master" : "secondary", peer.path("role").asText(), s.toString());
            assertEquals("connected", peer.path("connection").asText());
            assertTrue(peer.path("position").isMissingNode(), "only a master knows its peers' logs: " + peer);
            if (sPeers[i] == master) {
                assertTrue(peer.path("last_answer_ms_ago").asLong(-1) >= 0, "when the master last sent: " + peer);
            }
        }

        final int count = 20;
        appendW(master, count, 3);
        final long target = before + count;
        // w=3 was answered once every node held it durably: the master's document says so at its next tick
        Await.until("the master's document: every node at " + target + ", committed", () -> {
            final JsonNode now = cluster.json(master, "/cluster");
            return now.path("last_msg_id").asLong() == target && now.path("commit_msg_id").asLong() == target
                && now.path("nodes").get(1).path("position").asLong() == target
                && now.path("nodes").get(2).path("position").asLong() == target
                && now.path("commit").path("3").asLong() == target;
        });
        final JsonNode after = cluster.json(master, "/cluster");
        assertEquals(target, after.path("durable_msg_id").asLong());
        assertEquals(target, after.path("commit").path("1").asLong());
        assertEquals(count, after.path("appends").path("3").asLong(), "appends answered with w=3: " + after);
        assertEquals(count, after.path("latency").path("3").path("count").asLong());
        // a secondary learns the commit point with the master's next frame
        Await.until("the secondary's document: its log and the commit point at " + target, () -> {
            final JsonNode now = cluster.json(secondary, "/cluster");
            return now.path("last_msg_id").asLong() == target && now.path("commit_msg_id").asLong() == target
                && now.path("nodes").get(0).path("position").asLong() == target;
        });
    }

    @Test
    void aStoppedPeerTurnsUnhealthyOnTheMastersDocumentAndFallsBehind() {
        final int master = cluster.awaitMaster(0);
        final int lost = cluster.secondaryOf(master);
        final int kept = 6 - master - lost;
        final int lostRow = lost < kept ? 1 : 2;
        final int keptRow = 3 - lostRow;
        final long before = cluster.json(master, "/cluster").path("last_msg_id").asLong();
        cluster.stop(lost);
        Await.until("node " + lost + "'s row: Unhealthy, not connected, with a reason", () -> {
            final JsonNode row = cluster.json(master, "/cluster").path("nodes").get(lostRow);
            return row.path("status").asText().equals("Unhealthy")
                && row.path("connection").asText().equals("not connected")
                && !row.path("reason").asText().isBlank();
        });
        appendW(master, 10, 2);
        final long target = before + 10;
        Await.until("the kept peer reaches " + target + ", the stopped one stays 10 behind or more", () -> {
            final JsonNode now = cluster.json(master, "/cluster");
            final JsonNode lostPeer = row(now, lostRow, lost);
            final JsonNode keptPeer = row(now, keptRow, kept);
            return keptPeer.path("position").asLong() == target && keptPeer.path("lag").asLong() == 0
                && lostPeer.path("position").asLong() <= before && lostPeer.path("lag").asLong() >= 10
                && now.path("commit").path("2").asLong() == target && now.path("commit").path("3").asLong() <= before;
        });
        assertEquals("Healthy", row(cluster.json(master, "/cluster"), keptRow, kept).path("status").asText());
    }

    @Test
    void afterTheMasterStopsTheSurvivorsNameTheNewOne() {
        final int first = cluster.awaitMaster(0);
        cluster.stop(first);
        final int second = cluster.awaitMaster(first);
        final int other = 6 - first - second;
        Await.until("both survivors' documents name node " + second + " and the old master Unhealthy", () -> {
            for (final int id : new int[] {second, other}) {
                final JsonNode doc = cluster.json(id, "/cluster");
                final int firstRow = first < (id == second ? other : second) ? 1 : 2;
                if (doc.path("master").path("id").asInt() != second
                    || !row(doc, firstRow, first).path("status").asText().equals("Unhealthy")
                    || !row(doc, firstRow, first).path("role").asText().equals("secondary")) {
                    return false;
                }
            }
            return true;
        });
        final JsonNode doc = cluster.json(other, "/cluster");
        assertEquals("secondary", doc.path("role").asText());
        assertEquals("127.0.0.1:" + cluster.httpPort(second), doc.path("master").path("http").asText());
        assertEquals("master", row(doc, second < first ? 1 : 2, second).path("role").asText());

        // the last node alone has no majority: no new master; its own row says its master is gone
        cluster.stop(second);
        Await.until("node " + other + " Unhealthy: its master is gone", () -> {
            final JsonNode alone = cluster.json(other, "/cluster").path("nodes").get(0);
            return alone.path("status").asText().equals("Unhealthy")
                && alone.path("reason").asText().startsWith("its master, node " + second + ": ");
        });
        assertEquals("secondary", cluster.json(other, "/cluster").path("replica_role").asText());
    }
}
