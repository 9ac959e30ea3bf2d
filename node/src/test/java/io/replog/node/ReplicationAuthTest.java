package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.security.ClusterKey;
import io.replog.node.server.EventLoops;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.AuthHello;
import io.replog.protocol.AuthMac;
import io.replog.protocol.AuthProof;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.FrameType;
import io.replog.protocol.PeerEntry;
import io.replog.protocol.ReplogException;
import io.replog.protocol.VoteRequest;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.replog.node.ClusterTestSupport.client;
import static io.replog.node.ClusterTestSupport.json;
import static io.replog.node.ClusterTestSupport.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only the cluster's master writes into a secondary: real nodes on loopback with cluster keys, a raw socket that
 * injects replication frames as an attacker would, and rogue secondaries with another key or none.
 */
class ReplicationAuthTest {
    private static final ClusterKey KEY = ClusterKey.of("the-cluster-key-of-this-test-0123456789");
    private static final ClusterKey OTHER = ClusterKey.of("another-cluster-key-not-this-one-9876543210");

    private final EventLoops loops = new EventLoops(2, "auth");
    private final List<ReplogNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        loops.close();
    }

    private ReplogNode secondary(final ClusterKey key) {
        final ReplogNode node = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .clusterKey(key), loops);
        nodes.add(node);
        return node;
    }

    private ReplogNode master(final ClusterKey key, final int quorum, final ReplogNode... secondaries) {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final ReplogNode s : secondaries) {
            addresses.add(new InetSocketAddress("127.0.0.1", s.port()));
        }
        final ReplogNode node = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .clusterKey(key).quorum(quorum).secondaries(addresses), loops);
        nodes.add(node);
        return node;
    }

    /** Entries of {@code epoch} carrying {@code messages}, as a master sends them. */
    private static List<PeerEntry> entries(final long epoch, final String... messages) {
        final List<PeerEntry> entries = new ArrayList<>();
        for (final String m : messages) {
            entries.add(PeerEntry.message(epoch, m.getBytes(StandardCharsets.UTF_8)));
        }
        return entries;
    }

    /** The master takes appends (its quorum answered). */
    private static void awaitWritable(final ReplogNode master) {
        Await.until("writable", () -> !master.role().status().readOnly());
    }

    private static JsonNode secondaryState(final ReplogNode master, final int index) {
        return json(master, "/health").get("peers").get(index);
    }

    @Test
    void aReplicationFrameInjectedFromOutsideIsRefusedCountedAndNeverStored() throws Exception {
        final ReplogNode secondary = secondary(KEY);
        final ReplogNode master = master(KEY, 0, secondary);
        awaitWritable(master);
        try (ReplogClient c = client(master)) {
            assertEquals(1L, Await.result(c.append("legit-1", 2)));
        }
        final long logId = Long.parseUnsignedLong(json(secondary, "/health").get("log_id").asText(), 16);
        final long next = master.role().status().epoch() + 1; // an epoch that would outrank the real master's
        try (RawFrameSocket attacker = new RawFrameSocket(secondary.port())) {
            // the injection of the issue, made worse: the right log_id, as node 1 (the master's id), in a newer
            // epoch from the log's start: let through, it would replace what the secondary holds
            attacker.send(new AppendEntries(7, 1, next, 0, 0, 0, logId, entries(next, "evil-1", "evil-2")));
            final RawFrameSocket.Frame answer = attacker.read();
            assertEquals(FrameType.ERROR, answer.type());
            assertEquals(7, answer.requestId());
            assertEquals(ErrorCode.UNAUTHORIZED, answer.errorCode(), answer.errorText());
            attacker.send(new VoteRequest(8, 1, next, next, 99, false)); // a vote that would depose the master
            assertEquals(ErrorCode.UNAUTHORIZED, attacker.read().errorCode());
            attacker.send(new AppendEntries(9, 1, next, 0, 0, 0, logId, List.of())); // a heartbeat, too
            assertEquals(ErrorCode.UNAUTHORIZED, attacker.read().errorCode());
            attacker.roundTrip(10); // client traffic on the same connection is still served
        }
        assertEquals(3, json(secondary, "/health").get("unauthorized_frames").asLong());
        try (ReplogClient c = client(master)) {
            assertEquals(2L, Await.result(c.append("legit-2", 2)));
        }
        Await.until("the secondary holds the master's two", () -> texts(secondary).size() == 2);
        assertEquals(List.of("legit-1", "legit-2"), texts(secondary));
        assertEquals(List.of("legit-1", "legit-2"), texts(master));
    }

    @Test
    void anEmptySecondaryDoesNotAdoptALogSentByAnyoneButItsMaster() throws Exception {
        final ReplogNode secondary = secondary(KEY);
        try (RawFrameSocket attacker = new RawFrameSocket(secondary.port())) {
            attacker.send(new AppendEntries(1, 1, 1, 0, 0, 0, 0x0bad_10c1dL, entries(1, "evil-1")));
            assertEquals(ErrorCode.UNAUTHORIZED, attacker.read().errorCode());
        }
        final JsonNode health = json(secondary, "/health");
        assertEquals("0", health.get("log_id").asText(), "no log adopted");
        assertEquals(0, health.get("last_msg_id").asLong());
    }

    @Test
    void aRogueSecondaryWithAnotherKeyNeverReceivesAnEntryNorCounts() throws Exception {
        final ReplogNode good = secondary(KEY);
        final ReplogNode rogue = secondary(OTHER);
        final ReplogNode master = master(KEY, 0, good, rogue);
        Await.until("the rogue is Unauthorized", () -> secondaryState(master, 1).get("status").asText()
            .equals("Unauthorized"));
        assertTrue(secondaryState(master, 1).get("reason").asText().contains("its proof does not verify"),
            secondaryState(master, 1).toString());
        awaitWritable(master); // with the good secondary
        try (ReplogClient c = client(master)) {
            assertEquals(1L, Await.result(c.append("a", 2)));
            final ExecutionException e = assertThrows(ExecutionException.class, () -> c.append(
                "b".getBytes(StandardCharsets.UTF_8), 3, 1_000).get(20, TimeUnit.SECONDS));
            assertEquals(ErrorCode.TIMEOUT, assertInstanceOf(ReplogException.class, e.getCause()).code(),
                "the rogue's copy never counts");
        }
        assertEquals(0, json(rogue, "/health").get("last_msg_id").asLong());
        assertEquals(0, json(rogue, "/health").get("unauthorized_frames").asLong(),
            "the master never even tried to send it replication");
        assertEquals(0, json(rogue, "/health").get("failed_handshakes").asLong(),
            "the master sent it no proof of its own to try (it checks the secondary's first)");
        assertEquals(0, secondaryState(master, 1).get("acked").asLong());
    }

    @Test
    void keysOnOneSideOnlyAreRefusedBothWays() throws Exception {
        final ReplogNode keyless = secondary(null);
        final ReplogNode keyed = secondary(KEY);
        final ReplogNode withKey = master(KEY, 1, keyless);
        final ReplogNode withoutKey = master(null, 1, keyed);
        Await.until("a master with a key refuses a secondary without one",
            () -> secondaryState(withKey, 0).get("status").asText().equals("Unauthorized"));
        assertTrue(secondaryState(withKey, 0).get("reason").asText().contains("no cluster key"),
            secondaryState(withKey, 0).toString());
        Await.until("a secondary with a key refuses a master without one",
            () -> secondaryState(withoutKey, 0).get("status").asText().equals("Unauthorized"));
        try (ReplogClient c = client(withKey); ReplogClient d = client(withoutKey)) {
            assertEquals(1L, Await.result(c.append("a", 1)));
            assertEquals(1L, Await.result(d.append("b", 1)));
        }
        assertEquals(0, json(keyless, "/health").get("last_msg_id").asLong());
        assertEquals(0, json(keyed, "/health").get("last_msg_id").asLong());
        assertTrue(json(keyed, "/health").get("unauthorized_frames").asLong() >= 1);
    }

    @Test
    void aRecordedHandshakeDoesNotAuthenticateAnotherConnection() throws Exception {
        final ReplogNode secondary = secondary(KEY);
        final byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 7);
        final byte[] recorded;
        try (RawFrameSocket first = new RawFrameSocket(secondary.port())) {
            first.send(new AuthHello(1, 42, nonce));
            final RawFrameSocket.Frame challenge = first.read();
            assertEquals(FrameType.AUTH_CHALLENGE, challenge.type());
            final byte[] nonceS = Arrays.copyOfRange(challenge.body(), 0, 32);
            // what the real master sent on that connection, as an eavesdropper recorded it
            recorded = AuthMac.proof("the-cluster-key-of-this-test-0123456789".getBytes(StandardCharsets.UTF_8),
                AuthMac.MASTER, 42, nonce, nonceS);
        }
        try (RawFrameSocket replay = new RawFrameSocket(secondary.port())) {
            replay.send(new AuthHello(1, 42, nonce)); // the same HELLO: the secondary picks a new nonce
            assertEquals(FrameType.AUTH_CHALLENGE, replay.read().type());
            replay.send(new AuthProof(2, recorded));
            final RawFrameSocket.Frame refused = replay.read();
            assertEquals(ErrorCode.UNAUTHORIZED, refused.errorCode(), refused.errorText());
            assertTrue(replay.closedByNode(), "a failed handshake ends the connection");
        }
        try (RawFrameSocket outOfOrder = new RawFrameSocket(secondary.port())) {
            outOfOrder.send(new AuthProof(2, recorded));
            assertEquals(ErrorCode.UNAUTHORIZED, outOfOrder.read().errorCode());
            assertTrue(outOfOrder.closedByNode());
        }
        assertEquals(2, json(secondary, "/health").get("failed_handshakes").asLong());
        assertEquals(0, json(secondary, "/health").get("last_msg_id").asLong());
        assertFalse(json(secondary, "/health").get("log_id").asText().equals("2a"));
    }
}
