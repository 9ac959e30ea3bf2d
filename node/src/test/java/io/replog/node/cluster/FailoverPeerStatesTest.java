package io.replog.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.security.ClusterKey;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.FrameType;
import io.replog.testing.Await;
import io.replog.testing.ScriptedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/**
 * The peer states of a failover node past silence, on real nodes over loopback: node 3 of the list is not a
 * failover node that takes part, and nodes 1 and 2 (a majority, so one of them is master) say why, with the state
 * a fixed master gives a secondary in the same trouble.
 */
class FailoverPeerStatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClusterKey KEY = ClusterKey.of("the-cluster-key-of-this-test-0123456789");
    private static final ClusterKey OTHER = ClusterKey.of("another-cluster-key-not-this-one-9876543210");

    private final int[] ports = new int[4];
    private final ReplogNode[] nodes = new ReplogNode[4];
    private String list;
    private ScriptedServer standIn;

    @AfterEach
    void stop() {
        for (final ReplogNode node : nodes) {
            if (node != null) {
                node.close();
            }
        }
        if (standIn != null) {
            standIn.close();
        }
    }

    private void choosePorts() {
        for (int id = 1; id <= 3; id++) {
            try (ServerSocket probe = new ServerSocket(0)) {
                ports[id] = probe.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        list = "1@127.0.0.1:" + ports[1] + ",2@127.0.0.1:" + ports[2] + ",3@127.0.0.1:" + ports[3];
    }

    private void startFailover(final int id, final ClusterKey key) {
        nodes[id] = ReplogNode.failover(new NodeConfig().bindHost("127.0.0.1").port(ports[id]).httpPort(0)
            .clusterKey(key), Peers.parse(id, list), FailoverNodes.SETTINGS, null);
    }

    /** Node {@code id}'s health entry for node 3, once it is in {@code state}; fails after the await's deadline. */
    private JsonNode awaitNode3(final int id, final String state) {
        return awaitNode3(id, state, 0);
    }

    /** The same, once node {@code id} has also heard nothing but errors from node 3 for over {@code silentMs}. */
    private JsonNode awaitNode3(final int id, final String state, final long silentMs) {
        final JsonNode[] seen = new JsonNode[1];
        Await.until("node " + id + " sees node 3 " + state, () -> {
            final JsonNode health = JSON.valueToTree(nodes[id].role().health());
            for (final JsonNode peer : health.path("peers")) {
                if (peer.path("id").asInt() == 3) {
                    seen[0] = peer;
                    return state.equals(peer.path("status").asText())
                        && (silentMs == 0 || peer.path("last_answer_ms_ago").asLong(-1) > silentMs);
                }
            }
            return false;
        });
        return seen[0];
    }

    @Test
    void aPeerThatRefusesTheClusterKeyIsUnauthorized() {
        choosePorts();
        startFailover(1, KEY);
        startFailover(2, KEY);
        startFailover(3, OTHER);
        for (final int id : new int[] {1, 2}) {
            final JsonNode peer = awaitNode3(id, "Unauthorized");
            if (!peer.path("reason").asText().startsWith("not authenticated: ")) {
                throw new AssertionError(peer.toString());
            }
        }
    }

    /**
     * At node 3's address a stand-in that speaks the codec answers every frame with UNEXPECTED_FRAME: connected,
     * answering, refusing (as a node of another kind, or a node that cannot take the frames, would). The master of
     * nodes 1 and 2 sees it Failing (not Unhealthy: it is not silent) and says what it answered; a secondary sends it
     * nothing (only a master or a candidate speaks to its peers), so only the master can tell.
     */
    @Test
    void aPeerThatAnswersOnlyWithErrorsIsFailing() {
        standIn = ScriptedServer.start(FrameHeader.DEFAULT_MAX_FRAME_LENGTH, (ctx, frame) ->
            ctx.writeAndFlush(new ErrorFrame(0, ErrorCode.UNEXPECTED_FRAME, FrameType.name(frame.type())
                + " is not taken by this stand-in")));
        choosePorts();
        ports[3] = standIn.port();
        list = "1@127.0.0.1:" + ports[1] + ",2@127.0.0.1:" + ports[2] + ",3@127.0.0.1:" + ports[3];
        startFailover(1, null);
        startFailover(2, null);
        final int[] master = new int[1];
        Await.until("nodes 1 and 2 elect a master", () -> {
            master[0] = "master".equals(nodes[1].role().name()) ? 1 : "master".equals(nodes[2].role().name()) ? 2 : 0;
            return master[0] != 0;
        });
        // still Failing once it has been silent to the replica for longer than a silent peer stays Suspected
        final JsonNode peer = awaitNode3(master[0], "Failing", FailoverNodes.SETTINGS.electionMaxMs());
        if (!peer.path("reason").asText().contains("UNEXPECTED_FRAME: APPEND_ENTRIES is not taken by this stand-in")) {
            throw new AssertionError(peer.toString());
        }
    }
}
