package io.replog.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.Main;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.testing.ChildJvm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A failover cluster of {@code replog-node node} processes on loopback (the node is on this module's test class
 * path), for tests that must crash a node: {@link #kill} is SIGKILL, with no goodbye to clients or peers and no
 * closing checkpoint of the log. Each node logs to {@code target/node-logs/<name>-<id>.log} with Netty's leak
 * detector at PARANOID; {@link #close} kills them all and fails if a log holds a {@code LEAK:} report.
 *
 * <p>Nodes are numbered from 1. Their ports must be in every node's {@code --peers} before any starts, so each is
 * held by a bound, never listening socket (a connection to it is refused, as to a node that is down) until just
 * before its node binds it.
 */
final class FailoverProcesses implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Path LOGS = Path.of("target", "node-logs");

    private final String name;
    private final List<String> flags;
    private final Path dataRoot;
    private final int[] ports;
    private final int[] httpPorts;
    private final Process[] processes;

    private FailoverProcesses(final String name, final int size, final Path dataRoot, final List<String> flags) {
        this.name = name;
        this.flags = flags;
        this.dataRoot = dataRoot;
        this.ports = new int[size + 1];
        this.httpPorts = new int[size + 1];
        this.processes = new Process[size + 1];
    }

    /** Starts {@code size} nodes with {@code flags} (timings…), each with a data directory under {@code dataRoot}. */
    static FailoverProcesses start(final String name, final int size, final Path dataRoot, final String... flags) {
        final FailoverProcesses cluster = new FailoverProcesses(name, size, dataRoot, List.of(flags));
        final List<Socket> reserved = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            final Socket binary = reserve();
            final Socket http = reserve();
            reserved.add(binary);
            reserved.add(http);
            cluster.ports[id] = binary.getLocalPort();
            cluster.httpPorts[id] = http.getLocalPort();
        }
        try {
            Files.createDirectories(LOGS);
            for (int id = 1; id <= size; id++) {
                Files.deleteIfExists(cluster.log(id));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (int id = 1; id <= size; id++) {
            close(reserved.get(2 * (id - 1)));
            close(reserved.get(2 * (id - 1) + 1));
            cluster.launch(id);
        }
        return cluster;
    }

    private static Socket reserve() {
        final Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void close(final Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String list(final int[] of) {
        final StringBuilder list = new StringBuilder();
        for (int id = 1; id < of.length; id++) {
            list.append(id == 1 ? "" : ",").append(id).append("@127.0.0.1:").append(of[id]);
        }
        return list.toString();
    }

    private Path log(final int id) {
        return LOGS.resolve(name + "-" + id + ".log");
    }

    /** Starts node {@code id} (again: same ports, same data directory) and returns once it answers a PING. */
    void launch(final int id) {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-XX:TieredStopAtLevel=1", "-Dio.netty.leakDetection.level=paranoid",
            "-Dio.netty.leakDetection.targetRecords=8"));
        command.addAll(ChildJvm.forwardedProperties());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "node", "--id",
            String.valueOf(id), "--bind", "127.0.0.1", "--peers", list(ports), "--http-peers", list(httpPorts),
            "--port", String.valueOf(ports[id]), "--http-port", String.valueOf(httpPorts[id]), "--data-dir",
            dataRoot.resolve("node-" + id).toString()));
        command.addAll(flags);
        try {
            processes[id] = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start node " + id, e);
        }
        Await.until("node " + id + " answers on port " + ports[id], START_TIMEOUT, () -> {
            if (!processes[id].isAlive()) {
                fail("node " + id + " exited with " + processes[id].exitValue() + ":\n" + logOf(id));
            }
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[id])) {
                client.ping().get(2, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** kill -9 of node {@code id}; returns once it is dead. */
    void kill(final int id) {
        processes[id].destroyForcibly();
        try {
            if (!processes[id].waitFor(30, TimeUnit.SECONDS)) {
                fail("node " + id + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean alive(final int id) {
        return processes[id] != null && processes[id].isAlive();
    }

    int size() {
        return ports.length - 1;
    }

    int port(final int id) {
        return ports[id];
    }

    /** host:port of node {@code id}'s binary protocol. */
    String address(final int id) {
        return "127.0.0.1:" + ports[id];
    }

    /** Every node's address, comma-separated, for {@code --server}. */
    String all() {
        final List<String> all = new ArrayList<>();
        for (int id = 1; id <= size(); id++) {
            all.add(address(id));
        }
        return String.join(",", all);
    }

    /** Node {@code id}'s health report, or null when it does not answer (dead, or starting). */
    JsonNode health(final int id) {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[id])) {
            return JSON.readTree(client.health().get(5, TimeUnit.SECONDS));
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The master once there is one other than {@code notThis}: of the nodes that say they are master, the one of
     * the newest epoch (a master of an older epoch may not have heard of the newer one yet).
     */
    int awaitMaster(final int notThis) {
        final int[] master = new int[1];
        Await.until("a master other than node " + notThis, () -> {
            long epoch = -1;
            for (int id = 1; id <= size(); id++) {
                final JsonNode h = id == notThis || !alive(id) ? null : health(id);
                if (h != null && "master".equals(h.path("role").asText()) && h.path("epoch").asLong() > epoch) {
                    epoch = h.path("epoch").asLong();
                    master[0] = id;
                }
            }
            return epoch >= 0;
        });
        return master[0];
    }

    private String logOf(final int id) {
        try {
            return Files.readString(log(id), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Kills every node, then fails if one reported a leak. A leak shows only once the buffer was collected and
     * another allocated, so each live node is first made to collect (jcmd GC.run) and to allocate (pings).
     */
    @Override
    public void close() {
        final List<String> leaks = new ArrayList<>();
        for (int id = 1; id <= size(); id++) {
            if (processes[id] == null) {
                continue;
            }
            if (processes[id].isAlive()) {
                collectGarbage(id);
            }
            kill(id);
            for (final String line : logOf(id).split("\n")) {
                if (line.contains("LEAK:")) {
                    leaks.add("node " + id + ": " + line);
                }
            }
        }
        if (!leaks.isEmpty()) {
            fail(name + " leaked Netty buffers (details in " + LOGS.toAbsolutePath() + "):\n"
                + String.join("\n", leaks));
        }
    }

    private void collectGarbage(final int id) {
        try {
            final Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(processes[id].pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(30, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
            }
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", ports[id])) {
                for (int i = 0; i < 3; i++) {
                    client.ping().get(5, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            // best effort: the node may be stuck; what it reported so far is still checked
        }
    }
}
