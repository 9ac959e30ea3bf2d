package io.replog.node.cluster;

import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.protocol.client.ReplogClient;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine with a static leader over real connections, the way fixed roles will run on it: master node 1 knows its
 * secondaries' addresses, the secondaries know nothing of it (they answer on the connection it made to them), and a
 * restarted master asks them for their log ends with TAIL_REQUEST before it takes appends.
 */
class StaticLeaderWireTest {
    private static final ReplicaSettings SETTINGS = new ReplicaSettings(500, 1_000, 100, 1024, 10_000);
    private static final Leadership STATIC = Leadership.staticLeader(Peers.FIXED_MASTER, 2_000);

    @TempDir
    Path data;

    private final int[] ports = new int[4];
    private final int[] httpPorts = new int[4];
    private final ReplogNode[] nodes = new ReplogNode[4];

    @AfterEach
    void stop() {
        for (final ReplogNode node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    private void startAll() throws IOException {
        for (int id = 1; id <= 3; id++) {
            try (ServerSocket probe = new ServerSocket(0); ServerSocket http = new ServerSocket(0)) {
                ports[id] = probe.getLocalPort();
                httpPorts[id] = http.getLocalPort();
            }
        }
        for (int id = 2; id <= 3; id++) {
            nodes[id] = ReplogNode.engine(config(id), Peers.fixedSecondary(address(ports[id]),
                address(httpPorts[id])), SETTINGS, STATIC, null);
        }
        startMaster();
    }

    /** Starts the master and waits until it takes appends: it took a majority's reports (TAIL_REPLY) first. */
    private void startMaster() {
        final ReplogNode master = startMaster(config(1));
        Await.until("node 1 takes appends", () -> Boolean.FALSE.equals(master.role().health().get("read_only")));
    }

    private ReplogNode startMaster(final NodeConfig config) {
        nodes[1] = ReplogNode.engine(config, Peers.fixedMaster(address(ports[1]), address(httpPorts[1]),
            List.of(address(ports[2]), address(ports[3]))), SETTINGS, STATIC, null);
        return nodes[1];
    }

    private NodeConfig config(final int id) {
        return new NodeConfig().bindHost("127.0.0.1").port(ports[id]).httpPort(httpPorts[id])
            .dataDir(data.resolve("node-" + id));
    }

    private static InetSocketAddress address(final int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private ReplogClient client(final int id) {
        return ReplogClient.connect("127.0.0.1", ports[id]);
    }

    /** Waits until node {@code id} serves msg_ids 1..n (a READ stops at an epoch's end: page on) and returns them. */
    private List<String> awaitServed(final int id, final int n) {
        try (ReplogClient client = client(id)) {
            final List<String> texts = new ArrayList<>();
            Await.until("node " + id + " serves " + n + " messages", () -> {
                texts.clear();
                try {
                    client.readAll().forEach(m -> texts.add(m.text()));
                } catch (InterruptedException | ExecutionException e) {
                    throw new IllegalStateException(e);
                }
                return texts.size() >= n;
            });
            return texts;
        }
    }

    @Test
    void secondariesThatKnowNoMasterAddressAnswerOnItsConnection() throws IOException {
        startAll();
        try (ReplogClient master = client(1)) {
            // w=3: both secondaries' durable reports must come back over the master's own connections to them
            assertEquals(1L, Await.result(master.append("a", 3)));
            assertEquals(2L, Await.result(master.append("b", 3)));
        }
        assertEquals(List.of("a", "b"), awaitServed(2, 2));
        assertEquals(List.of("a", "b"), awaitServed(3, 2));
    }

    @Test
    void aRestartedMasterAsksItsSecondariesForTheirEndsBeforeItTakesAppends() throws IOException {
        startAll();
        try (ReplogClient master = client(1)) {
            assertEquals(1L, Await.result(master.append("a", 3)));
        }
        nodes[1].close();
        nodes[1] = null;
        startMaster();
        // it led again: a majority's TAIL_REPLY came back (without, it would wait for ever)
        try (ReplogClient master = client(1)) {
            assertEquals(2L, Await.result(master.append("b", 3)));
        }
        assertEquals(List.of("a", "b"), awaitServed(2, 2));
    }

    @Test
    void secondariesTakeTheirMastersLogAndRefuseAnotherOneWhichTheMasterShowsDiverged() throws IOException {
        startAll();
        try (ReplogClient master = client(1)) {
            assertEquals(1L, Await.result(master.append("a", 3)));
        }
        final long logId = nodes[1].log().logId();
        assertEquals(logId, nodes[2].log().logId(), "adopted on first contact");
        assertEquals(logId, nodes[3].log().logId());

        // a master with an empty data directory is another log: its secondaries hold messages of the first one
        nodes[1].close();
        nodes[1] = null;
        final ReplogNode other = startMaster(config(1).dataDir(data.resolve("node-1-new")));
        Await.until("the new master shows both secondaries Diverged", () -> {
            final Object peers = other.role().health().get("peers");
            return peers instanceof List<?> list && list.size() == 2 && list.stream()
                .allMatch(p -> p instanceof Map<?, ?> m && "Diverged".equals(m.get("status")));
        });
        assertEquals("master", other.role().name(), "a static master stays master");
        assertEquals(Boolean.TRUE, other.role().health().get("read_only"));
        assertTrue(String.valueOf(other.role().health().get("read_only_reason"))
            .startsWith("no quorum: the master is taking back the tail it may have lost and has heard from 1 of 3"),
            String.valueOf(other.role().health().get("read_only_reason")));
        try (ReplogClient master = client(1)) {
            final ReplogException refused = assertInstanceOf(ReplogException.class,
                assertThrows(CompletionException.class, () -> master.append("x", 1).join()).getCause());
            assertEquals(ErrorCode.READ_ONLY, refused.code(), refused.getMessage());
        }
        assertEquals(logId, nodes[2].log().logId(), "kept its log");
        assertEquals(List.of("a"), awaitServed(2, 1));
    }

    /**
     * Fixed roles' read policy: a node serves what it holds durably, not what is committed. Master 1 has four
     * secondaries, only node 2 runs, and its quorum is 2: a w=2 append is held by 2 of 5 nodes, never committed
     * (that takes 3), yet both nodes that hold it serve it at once.
     */
    @Test
    void underAStaticLeaderANodeServesWhatItHoldsDurablyEvenUncommitted() throws IOException {
        final int[] unused = new int[3];
        for (int i = 0; i < unused.length; i++) {
            try (ServerSocket probe = new ServerSocket(0)) {
                unused[i] = probe.getLocalPort(); // nodes 3..5: nobody listens there
            }
        }
        for (final int id : new int[] {1, 2}) {
            try (ServerSocket probe = new ServerSocket(0); ServerSocket http = new ServerSocket(0)) {
                ports[id] = probe.getLocalPort();
                httpPorts[id] = http.getLocalPort();
            }
        }
        final Leadership quorumOfTwo = Leadership.staticLeader(Peers.FIXED_MASTER, 200, 2);
        nodes[2] = ReplogNode.engine(config(2), Peers.fixedSecondary(address(ports[2]), address(httpPorts[2])),
            SETTINGS, quorumOfTwo, null);
        final ReplogNode master = ReplogNode.engine(config(1), Peers.fixedMaster(address(ports[1]),
            address(httpPorts[1]), List.of(address(ports[2]), address(unused[0]), address(unused[1]),
                address(unused[2]))), SETTINGS, quorumOfTwo, null);
        nodes[1] = master;
        Await.until("node 1 takes appends", () -> Boolean.FALSE.equals(master.role().health().get("read_only")));
        try (ReplogClient client = client(1)) {
            assertEquals(1L, Await.result(client.append("a", 2)));
        }
        assertEquals(List.of("a"), awaitServed(1, 1));
        assertEquals(List.of("a"), awaitServed(2, 1));
    }
}
