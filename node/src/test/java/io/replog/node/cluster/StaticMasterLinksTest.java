package io.replog.node.cluster;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.Leadership;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.security.ClusterKey;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fixed roles' link flags and refusals on the engine (a static master's links to its secondaries): the reconnect
 * backoff is capped at {@code --retry-cap-ms}, a link that answers nothing for {@code --replication-timeout-ms} is
 * dropped and made again, an in-memory master started again is a new log its secondaries refuse, and the master's
 * WARN about a peer refusing every heartbeat is logged on the 1st and every 10th refusal only.
 */
class StaticMasterLinksTest {
    private static final ReplicaSettings SETTINGS = new ReplicaSettings(300, 600, 100, 1024, 10_000);
    private static final Pattern REFUSAL_COUNT = Pattern.compile("\\(refusal (\\d+) in a row\\)");

    @TempDir
    Path data;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private static NodeConfig config() {
        return new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0).heartbeatMs(100).suspectAfterMs(300)
            .unhealthyAfterMs(600);
    }

    private ReplogNode master(final NodeConfig config, final int quorum, final int... secondaryPorts) {
        final List<InetSocketAddress> secondaries = new ArrayList<>();
        for (final int port : secondaryPorts) {
            secondaries.add(new InetSocketAddress("127.0.0.1", port));
        }
        final ReplogNode node = ReplogNode.engine(config, Peers.fixedMaster(
            new InetSocketAddress("127.0.0.1", config.port()), new InetSocketAddress("127.0.0.1", 0), secondaries),
            SETTINGS, Leadership.staticLeader(Peers.FIXED_MASTER, 600, quorum), null);
        closing.add(node);
        return node;
    }

    /** A listening socket that plays a secondary as {@code behaviour} says, recording when each connection came. */
    private FakeSecondary fake(final boolean closeAtOnce) throws IOException {
        final FakeSecondary fake = new FakeSecondary(closeAtOnce);
        closing.add(fake);
        return fake;
    }

    @Test
    void reconnectsBackOffNoFurtherThanTheRetryCap() throws IOException {
        // with a key, a peer that hangs up during the handshake never brings the link up: the backoff grows to
        // its cap (exponential from 50 ms) and stays there; 1000 ms, the engine's old fixed cap, would be far above
        final FakeSecondary hangsUp = fake(true);
        master(config().retryCapMs(100).clusterKey(ClusterKey.random()), 1, hangsUp.port());
        Await.until("15 connection attempts", Duration.ofSeconds(30), () -> hangsUp.accepted.size() >= 15);
        final List<Long> gaps = new ArrayList<>();
        for (int i = 9; i < 15; i++) {
            gaps.add((hangsUp.accepted.get(i) - hangsUp.accepted.get(i - 1)) / 1_000_000);
        }
        gaps.sort(null);
        // at the cap each wait is in [50, 100) ms; without the cap mapped it is in [500, 1000)
        assertTrue(gaps.get(gaps.size() / 2) < 400, "attempts 10..15 came after waits of " + gaps + " ms");
    }

    @Test
    void aLinkThatAnswersNothingForTheReplicationTimeoutIsDroppedAndMadeAgain() throws Exception {
        final FakeSecondary silent = fake(false); // a stopped process: the kernel accepts, nothing ever answers
        master(config().replicationTimeoutMs(500), 1, silent.port());
        Await.until("the master dropped the silent link and made another", Duration.ofSeconds(20),
            () -> silent.closedByPeer.size() >= 1 && silent.accepted.size() >= 2);
    }

    @Test
    void anInMemoryMasterStartedAgainIsANewLogThatItsSecondariesRefuseAndItsWarningsAreRateLimited() throws Exception {
        final ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        for (final Class<?> source : List.of(PeerLinks.class, PeerFrameGuard.class)) { // the master's, the secondaries'
            final Logger logger = (Logger) LoggerFactory.getLogger(source);
            logger.addAppender(lines);
            closing.add(() -> logger.detachAppender(lines));
        }
        final int[] secondaryPorts = new int[2];
        final ReplogNode[] secondaries = new ReplogNode[2];
        for (int i = 0; i < 2; i++) {
            secondaries[i] = ReplogNode.engine(config().dataDir(data.resolve("s" + i)),
                Peers.fixedSecondary(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0)),
                SETTINGS, Leadership.staticLeader(Peers.FIXED_MASTER, 600), null);
            closing.add(secondaries[i]);
            secondaryPorts[i] = secondaries[i].port();
        }
        final ReplogNode first = master(config(), 0, secondaryPorts);
        Await.until("the master takes appends", () -> Boolean.FALSE.equals(first.role().health().get("read_only")));
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", first.port())) {
            assertEquals(1L, Await.result(client.append("a", 3)));
        }
        final long firstLog = first.log().logId();
        first.close();

        final ReplogNode again = master(config(), 0, secondaryPorts); // no data dir: a new, empty log
        Await.until("the master started again shows both secondaries Diverged", () -> {
            final Object peers = again.role().health().get("peers");
            return peers instanceof List<?> list && list.size() == 2 && list.stream()
                .allMatch(p -> p instanceof Map<?, ?> m && "Diverged".equals(m.get("status")));
        });
        assertTrue(again.log().logId() != firstLog, "a new log");
        assertEquals(Boolean.TRUE, again.role().health().get("read_only"), "it has no quorum: nobody follows it");
        for (final ReplogNode secondary : secondaries) {
            assertEquals(firstLog, secondary.log().logId(), "kept its log");
            assertEquals(1L, secondary.log().lastId(), "kept its message");
        }

        // every heartbeat is refused: the master and the secondaries say so on the 1st, 10th, 20th … refusal
        Await.until("20 refusals in a row", Duration.ofSeconds(30), () -> refusalCounts(lines, "refused a message")
            .contains(20L) && refusalCounts(lines, "refusing replication of log").contains(20L));
        for (final String line : List.of("refused a message", "refusing replication of log")) {
            final List<Long> logged = refusalCounts(lines, line);
            assertTrue(logged.stream().allMatch(n -> n == 1 || n > 0 && n % 10 == 0), line + ": " + logged);
        }
    }

    private static List<Long> refusalCounts(final ListAppender<ILoggingEvent> lines, final String containing) {
        final List<Long> counts = new ArrayList<>();
        synchronized (lines) {
            for (final ILoggingEvent line : new ArrayList<>(lines.list)) {
                final Matcher m = REFUSAL_COUNT.matcher(line.getFormattedMessage());
                if (line.getFormattedMessage().contains(containing) && m.find()) {
                    counts.add(Long.parseLong(m.group(1)));
                }
            }
        }
        return counts;
    }

    /**
     * Accepts connections and either hangs up at once or holds them without a word; records when each came and
     * which ones the other side closed.
     */
    private static final class FakeSecondary implements AutoCloseable {
        final List<Long> accepted = new CopyOnWriteArrayList<>();
        final List<Long> closedByPeer = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        FakeSecondary(final boolean closeAtOnce) throws IOException {
            server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        final Socket socket = server.accept();
                        accepted.add(System.nanoTime());
                        if (closeAtOnce) {
                            socket.close();
                        } else {
                            held.add(socket);
                            drainUntilClosed(socket);
                        }
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "fake-secondary");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /** Reads (and ignores) what the master sends on its own thread, and notes when the master closes. */
        private void drainUntilClosed(final Socket socket) {
            final Thread reader = new Thread(() -> {
                try (InputStream in = socket.getInputStream()) {
                    final byte[] buffer = new byte[4096];
                    while (in.read(buffer) >= 0) {
                        // a heartbeat or a TAIL_REQUEST: never answered
                    }
                    closedByPeer.add(System.nanoTime());
                } catch (IOException e) {
                    // closed here
                }
            }, "fake-secondary-reader");
            reader.setDaemon(true);
            reader.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (final Socket socket : held) {
                socket.close();
            }
        }
    }
}
