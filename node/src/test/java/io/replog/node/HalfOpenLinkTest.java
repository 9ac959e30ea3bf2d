package io.replog.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.node.status.PeerState;
import io.replog.node.status.PeerStatus;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A stopped secondary (SIGSTOP) keeps its TCP connection open, so only silence gives it away: the master drops the
 * link after the replication timeout and keeps making new ones (the kernel still accepts them) until the process
 * runs again, then catches it up. The secondary is a real process; the master runs here so its log can be read.
 */
class HalfOpenLinkTest {
    /**
     * What the master logs when it drops a link for the replication timeout: the engine's words, and the fixed-role
     * sender's (gone with that stack).
     */
    private static final List<String> DROPPED = List.of("answered nothing for", "no answer to");

    @Test
    void aStoppedSecondaryIsDetectedByTheReplicationTimeoutAndCaughtUpWhenItResumes() throws Exception {
        final Logger logger = (Logger) LoggerFactory.getLogger("io.replog.node");
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
                // a slow start of the secondary may have made the master drop a link already: count from here
                final long droppedBefore = count(lines);
                secondary.signal("STOP");
                awaitStopped(secondary.pid());
                final CompletableFuture<Long> during = client.append("during".getBytes(), 2, 0);
                Await.until("the master drops the silent link", Duration.ofSeconds(20),
                    () -> count(lines) > droppedBefore);
                Await.until("the master shows the silent secondary as not Healthy", () -> {
                    final PeerStatus peer = master.role().status().peers().get(0);
                    return peer.state() == PeerState.Suspected || peer.state() == PeerState.Unhealthy;
                });
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

    /**
     * Returns once every thread of process {@code pid} is stopped. kill -STOP returns before they are: the thread
     * the signal woke stops the others when it next runs, and until then, on a loaded machine, the secondary's event
     * loop can still store and acknowledge an append sent "after" the signal.
     */
    private static void awaitStopped(final long pid) {
        final Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        Await.until("every thread of process " + pid + " stopped", () -> {
            try (Stream<Path> threads = Files.list(tasks)) {
                return threads.allMatch(HalfOpenLinkTest::stopped);
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Whether the thread's state in its {@code stat} ("tid (name) STATE …") is T; a thread gone is not running. */
    private static boolean stopped(final Path task) {
        try {
            final String stat = Files.readString(task.resolve("stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Links the master dropped for the replication timeout, as its log says. */
    private static long count(final ListAppender<ILoggingEvent> lines) {
        synchronized (lines) {
            return new ArrayList<>(lines.list).stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> DROPPED.stream().anyMatch(m::contains)).count();
        }
    }
}
