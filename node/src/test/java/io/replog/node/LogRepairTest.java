package io.replog.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.config.NodeConfig;
import io.replog.node.security.ClusterKey;
import io.replog.node.log.FileLogOptions;
import io.replog.node.log.FileLogStore;
import io.replog.node.server.EventLoops;
import io.replog.protocol.EntryRun;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.replog.node.ClusterTestSupport.json;
import static io.replog.node.ClusterTestSupport.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restart and repair without forking history, with logs prepared on disk as a crash would leave them: a secondary
 * holding a tail written in an epoch the master does not have is cut back to where the logs agree (the cut entries
 * kept in a rollback file), and a master that lost a tail a secondary holds takes it back before taking appends.
 */
class LogRepairTest {
    private static final long LOG_ID = 0x5eed_1065L;

    @TempDir
    Path dir;

    private final EventLoops loops = EventLoops.standard("repair");
    private final List<ReplogNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        loops.close();
    }

    /** A log in {@code name}: one run of messages per epoch, in order (epoch, messages, epoch, messages, …). */
    private Path log(final String name, final Object... epochsAndMessages) throws IOException {
        final Path d = dir.resolve(name);
        try (FileLogStore store = FileLogStore.open(d, FileLogOptions.defaults())) {
            store.adoptLogId(LOG_ID);
            for (int i = 0; i < epochsAndMessages.length; i += 2) {
                final ByteBuf run = Unpooled.buffer();
                final String[] messages = (String[]) epochsAndMessages[i + 1];
                for (final String m : messages) {
                    EntryRun.writeEntry(run, m.getBytes(StandardCharsets.UTF_8));
                }
                store.appendRun(run, messages.length, (Long) epochsAndMessages[i]);
                store.commit();
                run.release();
            }
        }
        return d;
    }

    private static String[] m(final String... messages) {
        return messages;
    }

    private ReplogNode secondary(final Path data) {
        final ReplogNode node = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .dataDir(data), loops);
        nodes.add(node);
        return node;
    }

    /**
     * A master that waits up to 10 s for its secondaries' tails before it starts: as long as a loaded machine may
     * need, and no slower when they answer (it starts as soon as they do).
     */
    private ReplogNode master(final Path data, final ReplogNode... secondaries) {
        return master(10_000, data, secondaries);
    }

    private ReplogNode master(final long unhealthyAfterMs, final Path data, final ReplogNode... secondaries) {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final ReplogNode s : secondaries) {
            addresses.add(new InetSocketAddress("127.0.0.1", s.port()));
        }
        final ReplogNode node = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .dataDir(data).secondaries(addresses).unhealthyAfterMs(unhealthyAfterMs), loops);
        nodes.add(node);
        return node;
    }

    @Test
    void aSecondaryWithATailOfAnotherEpochIsCutBackAndKeepsWhatItCutInARollbackFile() throws Exception {
        final Path masterDir = log("master", 1L, m("a", "b", "c"), 3L, m("d", "e", "f"));
        // msg_ids 4 and 5 written by the master of epoch 2, which the master of epoch 3 never got
        final Path secondaryDir = log("secondary", 1L, m("a", "b", "c"), 2L, m("x", "y"));
        final ReplogNode secondary = secondary(secondaryDir);
        master(masterDir, secondary);

        Await.until("the secondary follows the master's log",
            () -> texts(secondary).equals(List.of("a", "b", "c", "d", "e", "f")));
        assertEquals(2, json(secondary, "/health").path("rolled_back").asLong());
        final List<Path> rollbacks;
        try (Stream<Path> files = Files.list(secondaryDir)) {
            rollbacks = files.filter(p -> p.getFileName().toString().startsWith("rollback-")).toList();
        }
        assertEquals(1, rollbacks.size(), "one rollback file");
        final List<String> lines = Files.readAllLines(rollbacks.get(0));
        assertEquals(List.of("{\"msg_id\":4,\"epoch\":2,\"message\":\"x\"}", "{\"msg_id\":5,\"epoch\":2,\"message\":\"y\"}"),
            lines.stream().filter(l -> !l.isBlank()).toList());
    }

    @Test
    void aSecondaryWithADamagedLogCutsItAtTheDamageAndFetchesTheRestAgain() throws Exception {
        final Path masterDir = log("master", 1L, m("a"), 1L, m("b"), 1L, m("c"), 1L, m("d"));
        final Path secondaryDir = log("secondary", 1L, m("a"), 1L, m("b"), 1L, m("c"), 1L, m("d"));
        // as after a crash with no recovery point: recovery checks every batch; the third one is damaged
        Files.delete(secondaryDir.resolve("recovery-point"));
        final Path segment = secondaryDir.resolve("00000000000000000001.log");
        final byte[] bytes = Files.readAllBytes(segment);
        bytes[2 * 41 + 36 + 4] ^= 0x20;
        Files.write(segment, bytes);

        final ReplogNode secondary = secondary(secondaryDir);
        assertEquals(List.of("a", "b"), texts(secondary), "cut at the damage, which follows valid batches");
        master(masterDir, secondary);
        Await.until("the master sent the rest again", () -> texts(secondary).equals(List.of("a", "b", "c", "d")));
    }

    @Test
    void damageFoundWhenReadingIsNeverServed() throws Exception {
        final Path data = dir.resolve("damaged");
        try (FileLogStore store = FileLogStore.open(data, FileLogOptions.defaults())) {
            store.adoptLogId(LOG_ID);
            for (final String message : List.of("a", "b", "c", "d")) {
                final ByteBuf run = Unpooled.buffer();
                EntryRun.writeEntry(run, message.getBytes(StandardCharsets.UTF_8));
                store.appendRun(run, 1, 1);
                store.commit(); // a batch each: 36 header bytes + 5 entry bytes
                run.release();
            }
        }
        // "c", inside the third batch, before the recovery point a clean close wrote: found only when read
        final Path segment = data.resolve("00000000000000000001.log");
        final byte[] bytes = Files.readAllBytes(segment);
        final int offset = 2 * 41 + 36 + 4;
        assertEquals('c', bytes[offset]);
        bytes[offset] = 'C';
        Files.write(segment, bytes);

        final ReplogNode node = secondary(data);
        try (var client = ClusterTestSupport.client(node)) {
            assertEquals(List.of("a", "b"), Await.result(client.read(1, 2)).messages().stream()
                .map(io.replog.protocol.client.Message::text).toList());
            final var refused = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
                () -> Await.result(client.read(3, 10)));
            assertEquals(io.replog.protocol.ErrorCode.LOG_DAMAGED,
                ((io.replog.protocol.ReplogException) refused.getCause()).code(), refused.getMessage());
            assertEquals(List.of("d"), Await.result(client.read(4, 10)).messages().stream()
                .map(io.replog.protocol.client.Message::text).toList(), "the damage is only where it is");
        }
        // the 200 and "a", "b" are on their way when the damage is found: the response is cut, never finished
        final AssertionError cut = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
            () -> ClusterTestSupport.http(node, "GET", "/messages", null));
        assertTrue(cut.getCause() instanceof IOException, String.valueOf(cut.getCause()));
    }

    @Test
    void aMasterThatLostAWholeEpochTakesItBackEvenBehindASecondaryThatIsDown() throws Exception {
        final Path masterDir = log("master", 1L, m("a", "b", "c"));
        try (FileLogStore store = FileLogStore.open(masterDir, FileLogOptions.defaults())) {
            store.startEpoch(2); // it started epoch 2, wrote d and e, and lost both in a machine crash
        }
        final ReplogNode s1 = secondary(log("s1", 1L, m("a", "b", "c"), 2L, m("d", "e")));
        final ReplogNode stale = secondary(log("s2", 1L, m("a", "b", "c", "x")));
        try (java.net.Socket down = new java.net.Socket()) {
            down.bind(new InetSocketAddress("127.0.0.1", 0)); // bound, never listening: a secondary that is down
            final List<InetSocketAddress> addresses = List.of(new InetSocketAddress("127.0.0.1", down.getLocalPort()),
                new InetSocketAddress("127.0.0.1", stale.port()), new InetSocketAddress("127.0.0.1", s1.port()));
            final ReplogNode master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
                .dataDir(masterDir).secondaries(addresses).unhealthyAfterMs(1_000).suspectAfterMs(500), loops);
            nodes.add(master);
            // its start waits only 1.5 s (to keep this test short), which a loaded machine may outlast
            Await.until("epoch 2's entries, from the secondary with the newest epoch, not the longest of the older one",
                () -> texts(master).equals(List.of("a", "b", "c", "d", "e")));
            Await.until("writable", () -> !json(master, "/health").path("read_only").asBoolean());
            try (var client = ClusterTestSupport.client(master)) {
                assertEquals(6, Await.result(client.append("after", 3)));
            }
            Await.until("the stale secondary follows", () -> texts(stale).equals(List.of("a", "b", "c", "d", "e",
                "after")));
            assertEquals(1, json(stale, "/health").path("rolled_back").asLong(), "x, of epoch 1, was cut");
        }
    }

    @Test
    void aRestartedMasterTakesBackTheTailItLostFromTheMostAdvancedSecondary() throws Exception {
        final Path masterDir = log("master", 1L, m("a", "b", "c"));
        final ReplogNode s1 = secondary(log("s1", 1L, m("a", "b", "c", "d", "e")));
        final ReplogNode s2 = secondary(log("s2", 1L, m("a", "b", "c", "d")));
        final ReplogNode master = master(masterDir, s1, s2);

        // taken back before it takes appends; served once durable (the master's fsync of what it took back)
        Await.until("taken back", () -> texts(master).equals(List.of("a", "b", "c", "d", "e")));
        Await.until("writable", () -> !json(master, "/health").path("read_only").asBoolean());
        try (var client = ClusterTestSupport.client(master)) {
            assertEquals(6, Await.result(client.append("after", 3)), "msg_ids go on after what was taken back");
        }
        for (final ReplogNode node : List.of(master, s1, s2)) {
            Await.until(node + " has everything", () -> texts(node).equals(List.of("a", "b", "c", "d", "e", "after")));
        }
        assertEquals(0, json(s2, "/health").path("rolled_back").asLong(), "nothing was cut");
        assertTrue(json(master, "/health").path("epoch").asLong() >= 2, "a new epoch for the restarted master");
    }

    /** Flips a byte of the payload of batch {@code n} (0-based) of a log of one-byte messages, one per batch. */
    private static void damageBatch(final Path data, final int n) throws IOException {
        Files.delete(data.resolve("recovery-point")); // as after a crash: recovery checks every batch
        final Path segment = data.resolve("00000000000000000001.log");
        final byte[] bytes = Files.readAllBytes(segment);
        bytes[n * 41 + 36 + 4] ^= 0x20;
        Files.write(segment, bytes);
    }

    private static boolean setAsideExists(final Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("damaged-"));
        }
    }

    @Test
    void aMasterWithADamagedLogTakesTheDamagedPartBackFromASecondary() throws Exception {
        final Path masterDir = log("master", 1L, m("a"), 1L, m("b"), 1L, m("c"), 1L, m("d"));
        final ReplogNode s1 = secondary(log("s1", 1L, m("a"), 1L, m("b"), 1L, m("c"), 1L, m("d")));
        final ReplogNode s2 = secondary(log("s2", 1L, m("a")));
        damageBatch(masterDir, 1);

        final ReplogNode master = master(masterDir, s1, s2);
        Await.until("b..d taken back", () -> texts(master).equals(List.of("a", "b", "c", "d")));
        assertTrue(setAsideExists(masterDir), "the damaged part is kept");
        assertFalse(Files.exists(masterDir.resolve("damage-to-take-back")), "repaired: nothing left to take back");
        Await.until("writable", () -> !json(master, "/health").path("read_only").asBoolean());
        try (var client = ClusterTestSupport.client(master)) {
            assertEquals(5, Await.result(client.append("e", 3)));
        }
        for (final ReplogNode node : List.of(master, s1, s2)) {
            Await.until(node + " has everything", () -> texts(node).equals(List.of("a", "b", "c", "d", "e")));
        }
    }

    @Test
    void aMasterWithADamagedLogNoSecondaryCanRepairRefusesToStartUntilOneCan() throws Exception {
        final Path masterDir = log("master", 1L, m("a"), 1L, m("b"), 1L, m("c"), 1L, m("d"));
        final Path fullCopy = log("s1", 1L, m("a"), 1L, m("b"), 1L, m("c"), 1L, m("d"));
        final ReplogNode behind = secondary(log("s2", 1L, m("a"), 1L, m("b")));
        damageBatch(masterDir, 1);

        for (int attempt = 1; attempt <= 2; attempt++) { // the second start finds the cut log: still refused
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> master(NodeConfig.DEFAULT_UNHEALTHY_AFTER_MS, masterDir, behind));
            assertTrue(refused.getMessage().contains("held msg_ids up to 4")
                && refused.getMessage().contains("only up to msg_id 2"), refused.getMessage());
        }
        assertTrue(Files.exists(masterDir.resolve("damage-to-take-back")));

        final ReplogNode s1 = secondary(fullCopy);
        final ReplogNode master = master(masterDir, s1, behind);
        Await.until("taken back once a secondary holds it all",
            () -> texts(master).equals(List.of("a", "b", "c", "d")));
        assertFalse(Files.exists(masterDir.resolve("damage-to-take-back")));
    }

    @Test
    void aRestartedMasterTakesNothingBackFromASecondaryThatCannotProveTheClusterKey() throws Exception {
        final ClusterKey key = ClusterKey.of("the-key-of-this-cluster-0123456789abcdef");
        final Path masterDir = log("master", 1L, m("a", "b", "c"));
        // an impostor at a secondary's address, with this log's identity and "more" of it
        final ReplogNode impostor = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .dataDir(log("impostor", 1L, m("a", "b", "c", "evil-4", "evil-5")))
            .clusterKey(ClusterKey.of("not-the-key-of-this-cluster-9876543210")), loops);
        nodes.add(impostor);
        final ReplogNode master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .dataDir(masterDir).clusterKey(key).quorum(1)
            .secondaries(List.of(new InetSocketAddress("127.0.0.1", impostor.port()))), loops);
        nodes.add(master);
        assertEquals(List.of("a", "b", "c"), texts(master), "nothing taken back from it");
    }
}
