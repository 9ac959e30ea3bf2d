package io.replog.tools;

import io.replog.node.config.NodeConfig;
import io.replog.node.ReplogNode;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.node.cluster.Peers;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.api.AfterEach;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static io.replog.tools.LogctlRunner.logctl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code logctl --server a,b,c} against three real failover nodes: append finds the master and follows it through
 * a failover (the master killed -9, its nodes are processes of their own) without skipping or doubling a line;
 * reads use the first node that answers (nodes in this process).
 */
class LogctlFailoverTest {
    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final int LINES = 20_000;
    /**
     * Slower than the defaults (150..300 ms): three nodes, logctl and the test share this JVM and, on a loaded
     * 2-core machine, a master under a pipelined load can miss 300 ms of heartbeats and step down on its own.
     */
    private static final ReplicaSettings SETTINGS = new ReplicaSettings(1000, 2000, 100, 1024, 100_000);
    /** The same timings for node processes: logctl pipelines appends to one of them on this loaded machine. */
    private static final String[] TIMINGS = {"--election-timeout-ms", "1000..2000", "--peer-heartbeat-ms", "100"};

    @TempDir
    Path data;

    private final int[] ports = new int[4];
    private final ReplogNode[] nodes = new ReplogNode[4];

    @AfterEach
    void stop() {
        for (final ReplogNode node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private void startCluster() throws IOException {
        for (int id = 1; id <= 3; id++) {
            ports[id] = freePort();
        }
        final String list = "1@127.0.0.1:" + ports[1] + ",2@127.0.0.1:" + ports[2] + ",3@127.0.0.1:" + ports[3];
        for (int id = 1; id <= 3; id++) {
            final NodeConfig config = new NodeConfig().bindHost("127.0.0.1").port(ports[id]).httpPort(0)
                .dataDir(data.resolve("node-" + id));
            nodes[id] = ReplogNode.failover(config, Peers.parse(id, list), SETTINGS, null);
        }
    }

    private String address(final int id) {
        return "127.0.0.1:" + ports[id];
    }

    private String all() {
        return address(1) + "," + address(2) + "," + address(3);
    }

    /** The one master, not {@code notThis}, once the cluster has elected it. */
    private int awaitMaster(final int notThis) {
        final int[] master = new int[1];
        Await.until("one master", () -> {
            int masters = 0;
            for (int id = 1; id <= 3; id++) {
                if (nodes[id] != null && "master".equals(nodes[id].role().name())) {
                    masters++;
                    master[0] = id;
                }
            }
            return masters == 1 && master[0] != notThis;
        });
        return master[0];
    }

    /** The log of the node at {@code port}: only what was appended (epoch marks are never read). */
    private static List<Message> messages(final int port) throws Exception {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", port)) {
            return new ArrayList<>(client.readAll());
        }
    }

    /**
     * stdin of {@code count} lines "line-N", handed out a few at a time so that appends are in flight all along,
     * and held at {@code holdAt} until {@code gate} opens: the run cannot end before the test has killed the master.
     */
    private static InputStream lines(final int count, final int holdAt, final CountDownLatch gate) {
        return new InputStream() {
            private int next = 1;
            private byte[] current = new byte[0];
            private int pos;

            @Override
            public int read() throws IOException {
                final byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(final byte[] b, final int off, final int len) throws IOException {
                if (pos == current.length) {
                    if (next > count) {
                        return -1;
                    }
                    if (next == holdAt) {
                        try {
                            gate.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    final StringBuilder chunk = new StringBuilder();
                    for (int i = 0; i < 50 && next <= count; i++, next++) {
                        chunk.append("line-").append(next).append('\n');
                    }
                    current = chunk.toString().getBytes(StandardCharsets.UTF_8);
                    pos = 0;
                }
                final int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private static int lineCount(final StringWriter out) {
        final StringBuffer buffer = out.getBuffer();
        synchronized (buffer) {
            int n = 0;
            for (int i = 0; i < buffer.length(); i++) {
                if (buffer.charAt(i) == '\n') {
                    n++;
                }
            }
            return n;
        }
    }

    @Test
    void appendFollowsTheMasterThroughAFailoverWithoutSkippingOrDoublingALine() throws Exception {
        try (FailoverProcesses cluster = FailoverProcesses.start("logctl-failover", 3, data, TIMINGS)) {
            cluster.awaitMaster(0);
            final CountDownLatch gone = new CountDownLatch(1);
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                final CommandLine cli = Logctl.commandLine(lines(LINES, 15_001, gone));
                cli.setOut(new PrintWriter(out));
                cli.setErr(new PrintWriter(err));
                return cli.execute("--server", cluster.all(), "--reconnect-for-ms", "20000", "append", "-w", "2");
            });
            final int killed;
            try {
                Await.until("3,000 msg_ids printed, or logctl ended", () -> lineCount(out) >= 3_000
                    || exit.isDone());
                killed = cluster.awaitMaster(0); // the current master, which may not be the first one any more
                cluster.kill(killed); // SIGKILL: no SHUTTING_DOWN, the appends in flight just lose their connection
            } finally {
                gone.countDown();
            }
            final int code = assertTimeoutPreemptively(BOUND, () -> exit.get());
            final String run = "exit " + code + "\nstderr:\n" + err + "\nstdout (last 200 chars):\n"
                + out.toString().substring(Math.max(0, out.toString().length() - 200));
            assertEquals(0, code, run);
            assertTrue(err.toString().contains("logctl: master is now 127.0.0.1:"), run);
            final List<String> ids = List.of(out.toString().replace("\r", "").split("\n"));
            assertEquals(LINES, ids.size(), run);

            final int second = cluster.awaitMaster(killed);
            for (int id = 1; id <= 3; id++) {
                if (id == killed) {
                    continue;
                }
                final int port = cluster.port(id);
                Await.until("node " + id + " holds every line", () -> {
                    try {
                        return messages(port).size() >= LINES;
                    } catch (Exception e) {
                        return false;
                    }
                });
                final List<Message> log = messages(port);
                assertEquals(LINES, log.size(), "node " + id + " (master " + second + ") holds each line once: " + run);
                for (int i = 0; i < LINES; i++) {
                    final Message m = log.get(i);
                    assertEquals("line-" + (i + 1), m.text(), "node " + id + ", position " + i + ": " + run);
                    assertEquals(Long.parseLong(ids.get(i)), m.msgId(), "msg_id printed for line " + (i + 1));
                }
            }
        }
    }

    @Test
    void aListNamingASecondaryFirstStillFindsTheMaster() throws Exception {
        startCluster();
        final int master = awaitMaster(0);
        final int secondary = master % 3 + 1;
        final String unreachable = "127.0.0.1:" + freePort();
        // the only node in the list that answers is a secondary: logctl goes where it says the master is
        final Run append = assertTimeoutPreemptively(BOUND, () -> logctl("", "--server",
            unreachable + "," + address(secondary), "append", "-w", "2", "found it"));
        assertEquals(0, append.exit(), append.toString());
        final long id = Long.parseLong(append.out().trim());
        final Run viaList = assertTimeoutPreemptively(BOUND, () -> logctl("a\nb\n", "--server",
            address(secondary) + "," + address(master), "append", "-w", "2"));
        assertEquals(0, viaList.exit(), viaList.toString());
        assertEquals(2, viaList.lines().size(), viaList.toString());
        assertEquals("", viaList.err(), "no switch of master to report: " + viaList);

        final List<Message> log = messages(ports[master]);
        assertEquals(List.of("found it", "a", "b"), log.stream().map(Message::text).toList());
        assertEquals(id, log.get(0).msgId());

        // reads take the first node that answers
        final Run list = logctl("", "--server", unreachable + "," + address(secondary), "list");
        assertEquals(0, list.exit(), list.toString());
        Await.until("the secondary has the appends", () -> {
            final Run l = logctl("", "--server", unreachable + "," + address(secondary), "list");
            return l.exit() == 0 && l.out().contains(id + "\tfound it") && l.out().contains("\tb");
        });

        // any node names the others: verify compares all three without --nodes
        final Run verify = logctl("", "--server", address(secondary), "verify", "--json");
        assertEquals(0, verify.exit(), verify.toString());
        final JsonNode report = new ObjectMapper().readTree(verify.out());
        assertEquals(3, report.path("nodes").size(), verify.toString());
    }

    @Test
    void aListOfUnreachableNodesFailsClearlyWithinTheBound() throws Exception {
        final String dead = "127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort();
        final Run append = assertTimeoutPreemptively(BOUND, () -> logctl("x\n", "--server", dead,
            "--reconnect-for-ms", "2000", "append", "-w", "2"));
        assertEquals(Logctl.EXIT_FAILED, append.exit(), append.toString());
        assertEquals("", append.out(), append.toString());
        assertTrue(append.err().startsWith("logctl: no master found among " + dead + " after "), append.toString());
        assertTrue(append.err().contains("--reconnect-for-ms 2000"), append.toString());
        assertTrue(append.millis() >= 2000 && append.millis() < 15_000, append.toString());

        final Run list = assertTimeoutPreemptively(BOUND, () -> logctl("", "--server", dead, "list"));
        assertEquals(Logctl.EXIT_FAILED, list.exit(), list.toString());
        assertTrue(list.err().startsWith("logctl: none of the nodes of --server " + dead + " answered: "),
            list.toString());
    }

    @Test
    void theMasterNamedInNotMasterIsParsed() {
        assertEquals("127.0.0.1:7000",
            MasterFinder.masterAt("not the master; master at 127.0.0.1:7000 (node 1, epoch 4)"));
        assertNull(MasterFinder.masterAt(
            "not the master: no master is known right now (an election may be under way); retry shortly"));
    }
}
