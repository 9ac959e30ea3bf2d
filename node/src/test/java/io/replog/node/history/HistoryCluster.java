package io.replog.node.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.channel.EventLoopGroup;
import io.replog.node.NodeProcess;
import io.replog.protocol.Transport;
import io.replog.protocol.client.ReplogClient;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The cluster of a history run, real node processes each with its own data directory, whose links to each other run
 * through the test's {@link Network}. A failover cluster ({@link Mode#FAILOVER}): {@code replog-node node}
 * processes; node {@code i}'s {@code --peers} names itself at its real port and every other node at the proxy from
 * i to it. Fixed roles ({@link Mode#FIXED_ROLES}): node 1 runs {@code master} whose {@code --secondaries} are the
 * proxies from it to nodes 2..N, which run {@code secondary} (the master dials them; they dial nobody). Clients dial
 * the nodes' real ports directly.
 */
final class HistoryCluster implements AutoCloseable {
    private static final int MAX_FRAME = 4 * 1024 * 1024;
    /** With fixed roles the master is node 1 and its secondaries nodes 2..N, in --secondaries order (FixedRoles). */
    private static final int FIXED_MASTER = 1;

    /** Which commands the nodes run. */
    enum Mode {
        /** {@code node --id --peers}: the nodes elect their master. */
        FAILOVER,
        /** {@code master --secondaries} (node 1) and {@code secondary}: a static master that never changes. */
        FIXED_ROLES
    }

    /** What a node says of itself. */
    record Status(int id, String role, long epoch, int masterId, long commitId) {
    }

    private final Map<Integer, NodeProcess> nodes = new LinkedHashMap<>();
    private final Map<Integer, Integer> ports = new LinkedHashMap<>();
    private final Map<Integer, Boolean> paused = new LinkedHashMap<>();
    private final Mode mode;
    private final Network network;
    private final EventLoopGroup clientLoops = Transport.group(2, "history-client");

    /**
     * Starts {@code size} nodes in {@code mode}; {@code jvmOptions} go to every node's JVM (the failpoint that breaks
     * a rule), {@code flags} to every failover node's command line (election timing), with fixed roles to the
     * master's (its heartbeat and silences: a secondary takes none of them).
     */
    HistoryCluster(final String name, final Mode mode, final int size, final List<String> jvmOptions,
                   final List<String> flags) throws IOException {
        this.mode = mode;
        final Map<Integer, Socket> reserved = new LinkedHashMap<>();
        for (int id = 1; id <= size; id++) {
            final Socket socket = NodeProcess.reservePort();
            reserved.put(id, socket);
            ports.put(id, socket.getLocalPort());
        }
        network = new Network(ports);
        // every node at once, as a fleet starts (start order does not matter in either mode): on 2 cores the JVMs'
        // start-ups overlap instead of adding up
        final ExecutorService starter = Executors.newFixedThreadPool(size);
        final Map<Integer, Future<NodeProcess>> starting = new LinkedHashMap<>();
        for (final int id : ports.keySet()) {
            paused.put(id, false);
            starting.put(id, starter.submit(() -> NodeProcess.startOn(name + "-" + id, reserved.get(id), jvmOptions,
                command(id, flags).toArray(String[]::new))));
        }
        starter.shutdown();
        Throwable failed = null;
        for (final Map.Entry<Integer, Future<NodeProcess>> node : starting.entrySet()) {
            try {
                nodes.put(node.getKey(), node.getValue().get());
            } catch (ExecutionException e) {
                failed = failed == null ? e.getCause() : failed;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            close();
            throw new IllegalStateException("a node of the history cluster did not start", failed);
        }
    }

    private List<String> command(final int id, final List<String> flags) {
        final List<String> args = new ArrayList<>();
        if (mode == Mode.FAILOVER) {
            args.addAll(List.of("node", "--id", String.valueOf(id), "--peers", peersSeenBy(id)));
            args.addAll(flags);
        } else if (id == FIXED_MASTER) {
            final List<String> secondaries = new ArrayList<>();
            for (final int other : ports.keySet()) {
                if (other != id) {
                    secondaries.add("127.0.0.1:" + network.proxyPort(id, other));
                }
            }
            args.addAll(List.of("master", "--bind", "127.0.0.1", "--secondaries", String.join(",", secondaries)));
            args.addAll(flags);
        } else {
            args.addAll(List.of("secondary", "--bind", "127.0.0.1"));
        }
        return args;
    }

    /** Node {@code id}'s --peers: itself at its port, the others at the proxies from it. */
    private String peersSeenBy(final int id) {
        final List<String> parts = new ArrayList<>();
        for (final int other : ports.keySet()) {
            final int port = other == id ? ports.get(id) : network.proxyPort(id, other);
            parts.add(other + "@127.0.0.1:" + port);
        }
        return String.join(",", parts);
    }

    Mode mode() {
        return mode;
    }

    List<Integer> ids() {
        return List.copyOf(ports.keySet());
    }

    int size() {
        return ports.size();
    }

    Network network() {
        return network;
    }

    String address(final int id) {
        return "127.0.0.1:" + ports.get(id);
    }

    /** A client of node {@code id} on the cluster's shared client threads; the caller closes it. */
    ReplogClient connect(final int id) {
        return ReplogClient.connect(clientLoops, new InetSocketAddress("127.0.0.1", ports.get(id)), MAX_FRAME);
    }

    synchronized void kill(final int id) {
        nodes.get(id).kill();
        paused.put(id, false);
    }

    /** Starts a killed node again, with its data directory; returns once it answers. */
    void restart(final int id) {
        nodes.get(id).launch();
    }

    synchronized void pause(final int id) {
        nodes.get(id).signal("STOP");
        paused.put(id, true);
    }

    synchronized void resume(final int id) {
        nodes.get(id).signal("CONT");
        paused.put(id, false);
    }

    /** What node {@code id} says of itself, or null when it does not answer within a second. */
    Status status(final int id) {
        final JsonNode health = nodes.get(id).health(1_000);
        return health == null ? null : new Status(id, health.path("role").asText(), health.path("epoch").asLong(),
            health.path("master_id").asInt(), health.path("readable_msg_id").asLong());
    }

    /** The master of the newest epoch among the nodes that answer, or 0 when none does. */
    int master() {
        int master = 0;
        long epoch = -1;
        for (final int id : ports.keySet()) {
            final Status s = status(id);
            if (s != null && "master".equals(s.role()) && s.epoch() > epoch) {
                master = id;
                epoch = s.epoch();
            }
        }
        return master;
    }

    /** The highest epoch any node reports (0 when none answers). */
    long epoch() {
        long epoch = 0;
        for (final int id : ports.keySet()) {
            final Status s = status(id);
            if (s != null) {
                epoch = Math.max(epoch, s.epoch());
            }
        }
        return epoch;
    }

    @Override
    public void close() {
        for (final Map.Entry<Integer, NodeProcess> node : nodes.entrySet()) {
            if (paused.getOrDefault(node.getKey(), false)) {
                node.getValue().signal("CONT");
            }
        }
        network.close();
        final List<Throwable> failures = new ArrayList<>();
        for (final NodeProcess node : nodes.values()) {
            try {
                node.close(); // fails if the node's log reported a Netty leak
            } catch (Throwable t) {
                failures.add(t);
            }
        }
        clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (!failures.isEmpty()) {
            final AssertionError error = new AssertionError("closing the history cluster: " + failures.get(0));
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }
}
