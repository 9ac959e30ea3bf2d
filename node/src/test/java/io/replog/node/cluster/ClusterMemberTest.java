package io.replog.node.cluster;

import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three failover nodes in one process on loopback, over real sockets and real data directories. A node here can
 * only be closed, which is a clean stop (answers SHUTTING_DOWN, checkpoints its log): failover after a crash, with
 * nodes killed -9, is FailoverCrashTest's (and FailoverProcessTest's) with node processes.
 */
class ClusterMemberTest {
    private static final ReplicaSettings SETTINGS = new ReplicaSettings(150, 300, 50, 1024, 10_000);

    @TempDir
    Path data;

    private final int[] ports = new int[4];
    private final int[] httpPorts = new int[4];
    private final ReplogNode[] nodes = new ReplogNode[4];
    private Peers[] peers;
    private ReplicaSettings settings = SETTINGS;

    @AfterEach
    void stop() {
        for (final ReplogNode node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    private void startAll() throws IOException {
        startAll(SETTINGS);
    }

    private void startAll(final ReplicaSettings settings) throws IOException {
        this.settings = settings;
        for (int id = 1; id <= 3; id++) {
            try (ServerSocket probe = new ServerSocket(0); ServerSocket http = new ServerSocket(0)) {
                ports[id] = probe.getLocalPort();
                httpPorts[id] = http.getLocalPort();
            }
        }
        final String list = "1@127.0.0.1:" + ports[1] + ",2@127.0.0.1:" + ports[2] + ",3@127.0.0.1:" + ports[3];
        final String http = "1@127.0.0.1:" + httpPorts[1] + ",2@127.0.0.1:" + httpPorts[2] + ",3@127.0.0.1:"
            + httpPorts[3];
        peers = new Peers[4];
        for (int id = 1; id <= 3; id++) {
            peers[id] = Peers.parse(id, list, http);
            start(id);
        }
    }

    private void start(final int id) {
        final NodeConfig config = new NodeConfig().bindHost("127.0.0.1").port(ports[id]).httpPort(httpPorts[id])
            .dataDir(data.resolve("node-" + id));
        nodes[id] = ReplogNode.failover(config, peers[id], settings, null);
    }

    private int awaitOneMaster(final int notThis) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            int masters = 0;
            int master = 0;
            for (int id = 1; id <= 3; id++) {
                if (nodes[id] != null && nodes[id].role().name().equals("master")) {
                    masters++;
                    master = id;
                }
            }
            if (masters == 1 && master != notThis) {
                return master;
            }
            sleepBriefly();
        }
        fail("no single master within 20 s");
        return 0;
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 20 s: " + what);
            }
            sleepBriefly();
        }
    }

    /**
     * The messages node {@code id} serves, which must be exactly what was appended: msg_ids 1, 2, 3 … and no empty
     * entry (a master's epoch-start entry is a mark readers never see); a gap or an empty message shows in the list.
     */
    private List<String> texts(final int id) throws Exception {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[id])) {
            final List<String> texts = new ArrayList<>();
            for (final Message m : client.readAll()) {
                final String text = new String(m.payload(), StandardCharsets.UTF_8);
                texts.add(m.msgId() == texts.size() + 1 && !text.isEmpty() ? text
                    : "(msg_id " + m.msgId() + " at position " + (texts.size() + 1) + ": '" + text + "')");
            }
            return texts;
        }
    }

    /** The epoch of the last mark in node {@code id}'s log (0 for none). */
    private long lastMarkEpoch(final int id) {
        final long[] marks = nodes[id].role().log().marks();
        return marks.length == 0 ? 0 : marks[marks.length - 2];
    }

    private long append(final int master, final String text, final int w) throws Exception {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[master])) {
            return client.append(text, w).get(20, TimeUnit.SECONDS);
        }
    }

    private void awaitTexts(final int id, final List<String> expected) {
        final List<String> last = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            last.clear();
            try {
                last.addAll(texts(id));
            } catch (Exception e) {
                last.add("(read failed: " + e + ")");
            }
            if (last.equals(expected)) {
                return;
            }
            sleepBriefly();
        }
        assertEquals(expected, last, "node " + id + " within 20 s");
    }

    /** Appends with w, through whichever node is master, until acknowledged; returns the texts acknowledged. */
    private List<String> append(final int master, final String prefix, final int count, final int w)
        throws Exception {
        final List<String> acked = new ArrayList<>();
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[master])) {
            for (int i = 0; i < count; i++) {
                final String text = prefix + i;
                client.append(text, w).get(20, TimeUnit.SECONDS);
                acked.add(text);
            }
        }
        return acked;
    }

    @Test
    void electsOneMasterThatReplicatesToEveryNode() throws Exception {
        startAll();
        final int master = awaitOneMaster(0);
        final List<String> acked = append(master, "m", 50, 3);
        assertEquals(acked, texts(master), "w=3 was answered once committed: the master serves it at once");
        for (int id = 1; id <= 3; id++) {
            awaitTexts(id, acked); // a secondary learns the commit point with the next frame from the master
        }
    }

    @Test
    void msgIdsAreDenseFromOneAcrossFailoversAndRestartsOfLogsEndingInAMark() throws Exception {
        startAll();
        final int first = awaitOneMaster(0);
        assertEquals(1, append(first, "one", 3), "a fresh cluster's first append is msg_id 1");
        final List<String> all = new ArrayList<>(List.of("one"));
        all.addAll(append(first, "before-", 2, 3));
        nodes[first].close(); // the master goes: the next one starts its epoch with a mark
        nodes[first] = null;
        final int second = awaitOneMaster(first);
        assertEquals(4, append(second, "after", 2), "the next msg_id, no entry of its own in between");
        all.add("after");
        start(first); // back, as a secondary: it takes the new epoch's mark and message
        for (int id = 1; id <= 3; id++) {
            awaitTexts(id, all);
        }
        // a new epoch with no message yet: every node's log ends in a mark, and is restarted so
        final long epoch = ((Number) nodes[second].role().health().get("epoch")).longValue();
        nodes[second].close();
        nodes[second] = null;
        final int third = awaitOneMaster(second);
        start(second);
        await(() -> {
            final long newest = ((Number) nodes[third].role().health().get("epoch")).longValue();
            return newest > epoch && lastMarkEpoch(1) == newest && lastMarkEpoch(2) == newest
                && lastMarkEpoch(3) == newest;
        }, "every node holds the new master's mark");
        for (int id = 1; id <= 3; id++) {
            nodes[id].close();
            nodes[id] = null;
        }
        for (int id = 1; id <= 3; id++) {
            start(id);
        }
        final int fourth = awaitOneMaster(0);
        assertEquals(5, append(fourth, "later", 3), "after restarts of logs ending in marks: still the next msg_id");
        all.add("later");
        for (int id = 1; id <= 3; id++) {
            awaitTexts(id, all);
            assertEquals(5L, ((Number) nodes[id].role().health().get("last_msg_id")).longValue());
        }
        assertEquals(5L, ((Number) nodes[fourth].role().health().get("readable_msg_id")).longValue(),
            "health speaks msg_ids");
    }

    @Test
    void readersSeeOnlyCommittedMessages() throws Exception {
        // elections slow enough that the master keeps its role while both secondaries are down for a moment
        startAll(new ReplicaSettings(3_000, 6_000, 50, 1024, 10_000));
        final int master = awaitOneMaster(0);
        final List<String> committed = append(master, "everywhere-", 3, 3);
        final int[] others = {master % 3 + 1, (master + 1) % 3 + 1};
        for (final int other : others) {
            nodes[other].close();
            nodes[other] = null;
        }
        append(master, "master only", 1, 1); // acknowledged: w=1 is the master's fsync
        final var health = nodes[master].role().health();
        assertTrue(((Number) health.get("readable_msg_id")).longValue() < ((Number) health.get("last_msg_id")).longValue(),
            health.toString());
        assertEquals(committed, texts(master), "a message on one node of three may still be rolled back: not served");
        start(others[0]);
        final List<String> all = new ArrayList<>(committed);
        all.add("master only0");
        awaitTexts(master, all); // on two of three now: committed, served
        awaitTexts(others[0], all);
    }

    @Test
    void aNodeThatIsNotMasterNamesTheMaster() throws Exception {
        startAll();
        final int master = awaitOneMaster(0);
        final int other = master % 3 + 1;
        await(() -> nodes[other].role().health().get("master_id").equals(master), "node " + other + " knows the master");
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[other])) {
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.append("x", 1).get(10, TimeUnit.SECONDS));
            final ReplogException refused = assertInstanceOf(ReplogException.class, e.getCause());
            assertEquals(ErrorCode.NOT_MASTER, refused.code());
            assertTrue(refused.getMessage().contains("master at 127.0.0.1:" + ports[master]), refused.getMessage());
        }
        final HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[other]
            + "/append")).POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"via HTTP\", \"w\": 2}")).build();
        final HttpResponse<String> refused = HttpClient.newHttpClient().send(post,
            HttpResponse.BodyHandlers.ofString());
        assertEquals(307, refused.statusCode(), refused.body());
        assertEquals("http://127.0.0.1:" + httpPorts[master] + "/append",
            refused.headers().firstValue("Location").orElse(null));
        assertTrue(refused.body().contains("master at 127.0.0.1:" + ports[master]), refused.body());
        // a client that follows it (curl -L) sends the same POST to the master, which stores it
        final HttpResponse<String> followed = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .build().send(post, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, followed.statusCode(), followed.body());
        assertTrue(followed.body().contains("\"msg_id\""), followed.body());
        assertEquals(List.of("via HTTP"), texts(master));
        assertEquals("127.0.0.1:" + httpPorts[master], nodes[other].role().health().get("master_http"));
    }

    @Test
    void aStoppingMasterAnswersTheAppendsWaitingForTheirW() throws Exception {
        // slow elections: with a node down, a loaded machine must not depose the master before it is stopped
        // (its waiting append would then be answered NOT_MASTER, not SHUTTING_DOWN)
        startAll(new ReplicaSettings(3_000, 6_000, 50, 1024, 10_000));
        final int master = awaitOneMaster(0);
        final int other = master % 3 + 1;
        nodes[other].close();
        nodes[other] = null;
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[master])) {
            final var waiting = client.append("needs all three", 3);
            await(() -> ((Number) nodes[master].role().health().get("pending_appends")).intValue() == 1,
                "the w=3 append waits");
            nodes[master].close();
            nodes[master] = null;
            final ExecutionException e = assertThrows(ExecutionException.class,
                () -> waiting.get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.SHUTTING_DOWN, assertInstanceOf(ReplogException.class, e.getCause()).code());
        }
    }

    /** After a clean stop of every node; FailoverCrashTest does it after kill -9 of every node. */
    @Test
    void aTaggedAppendSentAgainAfterEveryNodeRestartedIsStoredOnce() throws Exception {
        startAll();
        final int first = awaitOneMaster(0);
        final long msgId;
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[first])) {
            msgId = client.append("tagged once".getBytes(StandardCharsets.UTF_8), 3, 0, 77, 1)
                .get(20, TimeUnit.SECONDS);
        }
        for (int id = 1; id <= 3; id++) {
            nodes[id].close(); // the tags are known only from the data directories now
            nodes[id] = null;
        }
        for (int id = 1; id <= 3; id++) {
            start(id);
        }
        final int master = awaitOneMaster(0);
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[master])) {
            assertEquals(msgId, client.append("tagged once".getBytes(StandardCharsets.UTF_8), 3, 0, 77, 1)
                .get(20, TimeUnit.SECONDS), "the first msg_id, not a new one");
        }
        assertEquals(List.of("tagged once"), texts(master));
    }
}
