package io.replog.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.consensus.ReplicaSettings;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * Three failover nodes in this process on loopback, their logs in memory, for the tests of what a failover node
 * shows (its {@code /cluster} document, its page, its metrics). Stopping a node closes it: the in-process harness
 * has no crash (a peer sees its connections close either way); the kill -9 tests run node processes.
 */
public final class FailoverNodes implements AutoCloseable {
    /**
     * Slower than the defaults, as docker-compose.failover.yml runs them: a loaded 2-core machine then deposes no
     * working master while a test watches it, and a failover still takes about a second.
     */
    public static final ReplicaSettings SETTINGS = new ReplicaSettings(500, 1_000, 100, 1024, 10_000);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int[] ports = new int[4];
    private final int[] httpPorts = new int[4];
    private final ReplogNode[] nodes = new ReplogNode[4];
    private String list;
    private String http;
    private BiFunction<Integer, NodeConfig, NodeConfig> tune;
    private IntFunction<ReplicaSettings> settingsOf;

    /** Starts nodes 1, 2 and 3 with {@link #SETTINGS}. */
    public static FailoverNodes start() {
        return start((id, config) -> config, id -> SETTINGS);
    }

    /** Starts nodes 1, 2 and 3 with {@code settings}, each node's configuration passed through {@code configure}. */
    public static FailoverNodes start(final ReplicaSettings settings, final UnaryOperator<NodeConfig> configure) {
        return start((id, config) -> configure.apply(config), id -> settings);
    }

    /**
     * Starts nodes 1, 2 and 3, each with the configuration {@code tune} makes of the default one (given the node's
     * id) and the replica settings {@code settingsOf} gives it.
     */
    public static FailoverNodes start(final BiFunction<Integer, NodeConfig, NodeConfig> tune,
                                      final IntFunction<ReplicaSettings> settingsOf) {
        // the ports are picked free and let go before the nodes bind them (every node must know every port first):
        // another process may take one meanwhile, and the cluster then starts again on new ports
        for (int attempt = 1; ; attempt++) {
            final FailoverNodes cluster = new FailoverNodes();
            try {
                cluster.startAll(tune, settingsOf);
                return cluster;
            } catch (IOException e) {
                cluster.close();
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                cluster.close();
                if (attempt >= 5 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private void startAll(final BiFunction<Integer, NodeConfig, NodeConfig> tune,
                          final IntFunction<ReplicaSettings> settingsOf) throws IOException {
        this.tune = tune;
        this.settingsOf = settingsOf;
        for (int id = 1; id <= 3; id++) {
            try (ServerSocket probe = new ServerSocket(0); ServerSocket http = new ServerSocket(0)) {
                ports[id] = probe.getLocalPort();
                httpPorts[id] = http.getLocalPort();
            }
        }
        list = "1@127.0.0.1:" + ports[1] + ",2@127.0.0.1:" + ports[2] + ",3@127.0.0.1:" + ports[3];
        http = "1@127.0.0.1:" + httpPorts[1] + ",2@127.0.0.1:" + httpPorts[2] + ",3@127.0.0.1:" + httpPorts[3];
        for (int id = 1; id <= 3; id++) {
            startNode(id);
        }
    }

    private void startNode(final int id) {
        final NodeConfig config = new NodeConfig().bindHost("127.0.0.1").port(ports[id]).httpPort(httpPorts[id]);
        nodes[id] = ReplogNode.failover(tune.apply(id, config), Peers.parse(id, list, http), settingsOf.apply(id),
            null);
    }

    /**
     * Starts node {@code id} again, stopped before, on its ports; its log is in memory, so it comes back empty and
     * catches up from the master.
     */
    public void restart(final int id) {
        if (nodes[id] != null) {
            throw new IllegalStateException("node " + id + " is running");
        }
        startNode(id);
    }

    /** Node {@code id} (1..3), or null once stopped. */
    public ReplogNode node(final int id) {
        return nodes[id];
    }

    /** Node {@code id}'s binary port. */
    public int port(final int id) {
        return ports[id];
    }

    /** Node {@code id}'s HTTP port. */
    public int httpPort(final int id) {
        return httpPorts[id];
    }

    /**
     * Waits until one running node other than {@code notThis} (0: any) is master and every running node names it
     * as its master in the same epoch; returns its id.
     */
    public int awaitMaster(final int notThis) {
        final int[] found = new int[1];
        Await.until("one master (not node " + notThis + ") that every running node knows", () -> {
            final int[] masters = Arrays.stream(new int[] {1, 2, 3})
                .filter(id -> nodes[id] != null && nodes[id].role().name().equals("master")).toArray();
            if (masters.length != 1 || masters[0] == notThis) {
                return false;
            }
            final Object epoch = nodes[masters[0]].role().health().get("epoch");
            for (int id = 1; id <= 3; id++) {
                if (nodes[id] != null && (!Integer.valueOf(masters[0]).equals(nodes[id].role().health()
                    .get("master_id")) || !epoch.equals(nodes[id].role().health().get("epoch")))) {
                    return false;
                }
            }
            found[0] = masters[0];
            return true;
        });
        return found[0];
    }

    /** A running node other than {@code master}. */
    public int secondaryOf(final int master) {
        for (int id = 1; id <= 3; id++) {
            if (id != master && nodes[id] != null) {
                return id;
            }
        }
        throw new IllegalStateException("no running node but " + master);
    }

    /** A new binary-protocol client of node {@code id}; the caller closes it. */
    public ReplogClient client(final int id) {
        return ReplogClient.connect("127.0.0.1", ports[id]);
    }

    /** {@code GET path} on node {@code id}'s HTTP port, answered 200 and parsed as JSON. */
    public JsonNode json(final int id, final String path) {
        final HttpResponse<String> response = get(id, path);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " on node " + id + ": HTTP " + response.statusCode() + " "
                + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET path} on node {@code id}'s HTTP port. */
    public HttpResponse<String> get(final int id, final String path) {
        final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[id] + path))
            .timeout(Duration.ofSeconds(60)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops node {@code id} (closes it: see the class comment). */
    public void stop(final int id) {
        if (nodes[id] != null) {
            nodes[id].close();
            nodes[id] = null;
        }
    }

    @Override
    public void close() {
        for (int id = 1; id <= 3; id++) {
            stop(id);
        }
    }
}
