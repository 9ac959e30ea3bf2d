package io.replog.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.replog.node.config.NodeConfig;
import io.replog.node.replication.ReplicationStream;
import io.replog.node.server.EventLoops;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A stopped secondary (SIGSTOP) keeps its TCP connection open, so only silence gives it away: the master drops the
 * link after the replication timeout and keeps making new ones (the kernel still accepts them) until the process
 * runs again, then catches it up. The secondary is a real process; the master runs here so its log can be read.
 */
class HalfOpenLinkTest {
    @Test
    void aStoppedSecondaryIsDetectedByTheReplicationTimeoutAndCaughtUpWhenItResumes() throws Exception {
        final Logger logger = (Logger) LoggerFactory.getLogger(ReplicationStream.class);
        final ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try (NodeProcess secondary = NodeProcess.start("half-open-secondary", "secondary", "--bind", "127.0.0.1");
             EventLoops loops = new EventLoops(2, "half-open")) {
            final int port = secondary.port();
            final ReplogNode master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
                .secondaries(List.of(new InetSocketAddress("127.0.0.1", port))).quorum(1).heartbeatMs(100)
                .suspectAfterMs(300).unhealthyAfterMs(600).retryCapMs(200).replicationTimeoutMs(1_000), loops);
            try (ReplogClient client = ClusterTestSupport.client(master)) {
                assertEquals(1, client.append("before".getBytes(), 2, 0).get(30, TimeUnit.SECONDS));
                secondary.signal("STOP");
                final CompletableFuture<Long> during = client.append("during".getBytes(), 2, 0);
                Await.until("the master drops the silent link", Duration.ofSeconds(20), () -> count(lines,
                    "no answer to") >= 1);
                assertFalse(during.isDone(), () -> "w=2 cannot be met while the only secondary is stopped, yet the "
                    + "append ended: " + during.handle((id, e) -> e != null ? e.toString() : "msg_id " + id).join());
                secondary.signal("CONT");
                assertEquals(2, during.get(30, TimeUnit.SECONDS), "answered once the secondary runs again");
                try (ReplogClient toSecondary = ReplogClient.connect("127.0.0.1", port)) {
                    assertEquals(List.of("before", "during"),
                        toSecondary.readAll().stream().map(m -> m.text()).toList());
                }
            } finally {
                master.close();
                logger.detachAppender(lines);
            }
        }
    }

    private static long count(final ListAppender<ILoggingEvent> lines, final String containing) {
        synchronized (lines) {
            return new ArrayList<>(lines.list).stream().filter(e -> e.getFormattedMessage().contains(containing))
                .count();
        }
    }
}
