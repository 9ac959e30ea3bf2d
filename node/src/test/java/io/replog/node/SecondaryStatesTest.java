package io.replog.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A secondary that answers but refuses what it is sent is not up: it does not count toward the quorum, /health
 * says why, and its repeated refusals are logged on the 1st and every 10th attempt only. Real nodes on loopback,
 * fast health timings (Unhealthy/Failing after 600 ms), retries capped at 100 ms so refusals pile up quickly.
 */
class SecondaryStatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STATE_CHANGE = Duration.ofSeconds(10);
    /** The parent of every logger of the nodes. */
    private static final String PROJECT_LOGGER = "io.replog";

    private EventLoops loops;
    private final List<ReplogNode> nodes = new ArrayList<>();

    @BeforeEach
    void loops() {
        loops = new EventLoops(2, "states");
    }

    @AfterEach
    void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        loops.close();
    }

    private ReplogNode secondary(final NodeConfig config) {
        final ReplogNode node = ReplogNode.secondary(config.bindHost("127.0.0.1").httpPort(0), loops);
        nodes.add(node);
        return node;
    }

    private ReplogNode master(final ReplogNode... secondaries) {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final ReplogNode s : secondaries) {
            addresses.add(new InetSocketAddress("127.0.0.1", s.port()));
        }
        final ReplogNode node = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .secondaries(addresses).heartbeatMs(50).suspectAfterMs(300).unhealthyAfterMs(600).retryCapMs(100),
            loops);
        nodes.add(node);
        return node;
    }

    private static JsonNode health(final ReplogNode node) {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", node.port())) {
            return JSON.readTree(client.health().get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode secondaryHealth(final ReplogNode master, final ReplogNode secondary) {
        for (final JsonNode s : health(master).path("peers")) {
            if (s.path("address").asText().endsWith(":" + secondary.port())) {
                return s;
            }
        }
        throw new AssertionError("no secondary on " + secondary.port() + " in " + health(master));
    }

    private static void awaitStatus(final ReplogNode master, final ReplogNode secondary, final String status) {
        Await.until(secondary.port() + " " + status, STATE_CHANGE,
            () -> status.equals(secondaryHealth(master, secondary).path("status").asText()));
    }

    private static void awaitWritable(final ReplogNode master) {
        ClusterTestSupport.awaitWritable(master, STATE_CHANGE);
    }

    private static short refusalCode(final ReplogClient client) throws Exception {
        final ExecutionException e = assertThrows(ExecutionException.class,
            () -> client.append("refused?".getBytes(), 1, 0).get(10, TimeUnit.SECONDS));
        return assertInstanceOf(ReplogException.class, e.getCause()).code();
    }

    @Test
    void aSecondaryHoldingAnotherLogIsDivergedNotCountedAndLoggedSparingly() throws Exception {
        final ListAppender<ILoggingEvent> lines = capture();
        final ReplogNode s = secondary(new NodeConfig().port(0));
        final ReplogNode first = master(s);
        awaitWritable(first);
        try (ReplogClient c = ReplogClient.connect("127.0.0.1", first.port())) {
            c.append("of the first log".getBytes(), 2, 0).get(10, TimeUnit.SECONDS);
        }
        first.close();
        clear(lines);

        final ReplogNode second = master(s); // a new, empty log: s refuses it
        awaitStatus(second, s, "Diverged");
        final JsonNode report = secondaryHealth(second, s);
        assertTrue(report.path("reason").asText().startsWith("refuses this log: this secondary holds 1 messages "
            + "of another log"), report.toString());
        assertEquals(0, report.path("acked").asLong(), "it holds none of this log");
        assertTrue(second.role().status().readOnly(), "1 of 2 nodes up: no quorum");
        try (ReplogClient c = ReplogClient.connect("127.0.0.1", second.port())) {
            assertEquals(ErrorCode.READ_ONLY, refusalCode(c));
        }
        Await.until("20 refusals in a row on the secondary", STATE_CHANGE,
            () -> lines(lines, "refusal 20 in a row") > 0);
        // the master's lines carry the secondary's refusal ("… holds 1 messages of another log …"), the secondary's
        // own say "refusing replication of log"
        final long masterRetryLines = lines(lines, l -> l.contains("messages of another log")
            && !l.contains("refusing replication of log"));
        assertTrue(masterRetryLines >= 2 && masterRetryLines <= 4,
            "logged on the 1st, 10th, 20th (30th) attempt only, got " + masterRetryLines);
        assertTrue(lines(lines, "refusing replication of log") <= 4, "the secondary is as quiet");
    }

    @Test
    void secondariesThatFailEveryDeliveryAreFailingWithTheirReasonAndCostTheQuorum() throws Exception {
        final ListAppender<ILoggingEvent> lines = capture();
        final ReplogNode full = secondary(new NodeConfig().port(0).maxLogBytes(4_096));
        final ReplogNode smallFrames = secondary(new NodeConfig().port(0).maxFrameLength(1_024));
        final ReplogNode fine = secondary(new NodeConfig().port(0));
        final ReplogNode master = master(full, smallFrames, fine);
        awaitWritable(master);
        try (ReplogClient c = ReplogClient.connect("127.0.0.1", master.port())) {
            // sent in one burst: one at a time, a loaded machine may take longer than the 600 ms after which the
            // two failing secondaries cost the quorum, and the later appends would be refused READ_ONLY
            final List<java.util.concurrent.CompletableFuture<Long>> sent = new ArrayList<>();
            sent.add(c.append(new byte[2_000], 1, 0)); // larger than smallFrames takes
            for (int i = 0; i < 10; i++) {
                sent.add(c.append(new byte[1_000], 1, 0)); // more than full can hold
            }
            for (final java.util.concurrent.CompletableFuture<Long> append : sent) {
                append.get(10, TimeUnit.SECONDS);
            }
            awaitStatus(master, full, "Failing");
            awaitStatus(master, smallFrames, "Failing");
            assertTrue(secondaryHealth(master, full).path("reason").asText().contains("REPLICATION_FAILED: the log "
                + "is full"), secondaryHealth(master, full).toString());
            assertTrue(secondaryHealth(master, smallFrames).path("reason").asText().contains("FRAME_TOO_LARGE"),
                secondaryHealth(master, smallFrames).toString());
            assertEquals("Healthy", secondaryHealth(master, fine).path("status").asText());
            // w=1 answers do not wait for it: its acknowledgement of all 11 follows
            Await.until("the healthy secondary acknowledged all 11", STATE_CHANGE,
                () -> secondaryHealth(master, fine).path("acked").asLong() == 11);
            Await.until("read-only: 2 of 4 nodes up, 3 needed", STATE_CHANGE,
                () -> health(master).path("read_only").asBoolean());
            assertEquals(ErrorCode.READ_ONLY, refusalCode(c));
        }
        // both sides quote the refusal: the master says the secondary refused it, the secondary that it closes
        final java.util.function.Predicate<String> masterSideLine = l -> l.contains("exceeds the limit of 1024 bytes")
            && l.contains(" refused a ");
        final java.util.function.Predicate<String> secondarySideLine = l -> l.contains("exceeds the limit of 1024 "
            + "bytes") && l.contains("closing connection");
        Await.until("20 refused attempts", STATE_CHANGE, () -> lines(lines, masterSideLine) >= 3);
        // the master goes on retrying while this counts: compare the two sides' rate-limited logs (1st, 10th, 20th …
        // refusal each), not the secondary's alone against a fixed number (on a fast machine it reached the 40th)
        final long secondarySide = lines(lines, secondarySideLine);
        final long masterSide = lines(lines, masterSideLine);
        assertTrue(secondarySide >= 2 && secondarySide <= masterSide + 2, "the refusing secondary logs the 1st, "
            + "10th, 20th … refusal, as the master does: got " + secondarySide + " lines, the master " + masterSide);
    }

    /**
     * Every line the nodes log (both run in this JVM): which side logged a line is told by its words, not by the
     * class that logged it, so the test holds whichever stack runs the roles.
     */
    private static ListAppender<ILoggingEvent> capture() {
        final Logger logger = (Logger) LoggerFactory.getLogger(PROJECT_LOGGER);
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    private static long lines(final ListAppender<ILoggingEvent> appender, final String containing) {
        return lines(appender, l -> l.contains(containing));
    }

    private static long lines(final ListAppender<ILoggingEvent> appender,
                              final java.util.function.Predicate<String> matching) {
        synchronized (appender) { // appenders append under their own monitor
            return new ArrayList<>(appender.list).stream()
                .filter(e -> matching.test(e.getFormattedMessage())).count();
        }
    }

    private static void clear(final ListAppender<ILoggingEvent> appender) {
        synchronized (appender) {
            appender.list.clear();
        }
    }

    @AfterEach
    void detachAppenders() {
        final Logger logger = (Logger) LoggerFactory.getLogger(PROJECT_LOGGER);
        logger.iteratorForAppenders().forEachRemaining(a -> {
            if (a instanceof ListAppender) {
                logger.detachAppender(a);
            }
        });
    }
}
