package io.replog.node;

import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;

import java.util.List;

/** Small helpers shared by the cluster tests. */
final class ClusterTestSupport {
    private ClusterTestSupport() {
    }

    static ReplogClient client(final ReplogNode node) {
        return ReplogClient.connect("127.0.0.1", node.port());
    }

    /** Every message of {@code node}, read over the binary protocol. */
    static List<Message> messages(final ReplogNode node) {
        try (ReplogClient c = client(node)) {
            return c.readAll();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + node.role().name() + " on " + node.port(), e);
        }
    }

    static List<String> texts(final ReplogNode node) {
        return messages(node).stream().map(Message::text).toList();
    }
}
