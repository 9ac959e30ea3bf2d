package io.replog.tools;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code logctl health}: the node's health report as a readable table (or the raw JSON). */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = "Show the node's role and mode; on the master, each secondary's health, position and lag, and "
        + "why it is not Healthy; on a node of a failover cluster, its epoch, the master, the last election and "
        + "its peers.")
final class HealthCommand implements Callable<Integer> {
    /** Statuses of a secondary that count as up for the quorum; Unhealthy, Failing and Diverged do not. */
    static final Set<String> UP = Set.of("Healthy", "Suspected");

    @ParentCommand
    Logctl parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print the JSON report (as GET /health returns it).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        // the handshake every command starts with is this very request
        try (NodeLink link = parent.open()) {
            out.print(json ? link.healthJson() + System.lineSeparator() : table(link.health()));
        }
        out.flush();
        return 0;
    }

    static String table(final JsonNode h) {
        if ("failover".equals(h.path("mode").asText())) {
            return failoverTable(h);
        }
        final StringBuilder s = new StringBuilder();
        if ("master".equals(h.path("role").asText())) {
            int up = 1;
            for (final JsonNode sec : h.path("secondaries")) {
                if (UP.contains(sec.path("status").asText())) {
                    up++;
                }
            }
            s.append(String.format("role: master   mode: %s   quorum: %d (%d of %d nodes up)   last msg_id: %d"
                    + "   waiting appends: %d%n",
                h.path("read_only").asBoolean() ? "READ-ONLY (no quorum)" : "writable", h.path("quorum").asInt(),
                up, h.path("secondaries").size() + 1, h.path("last_msg_id").asLong(),
                h.path("pending_appends").asLong()));
            if (h.path("secondaries").size() > 0) {
                s.append(String.format("%-22s %-10s %10s %10s  %-11s %-12s %s%n", "SECONDARY", "STATUS", "ACKED",
                    "LAG", "CONNECTION", "LAST ANSWER", "REASON"));
                for (final JsonNode sec : h.path("secondaries")) {
                    final long silent = sec.path("last_answer_ms_ago").asLong(-1);
                    s.append(String.format("%-22s %-10s %10d %10d  %-11s %-12s %s", sec.path("address").asText(),
                        sec.path("status").asText(), sec.path("acked").asLong(), sec.path("lag").asLong(),
                        sec.path("connection").asText(), silent < 0 ? "never" : silent + " ms ago",
                        sec.path("reason").asText("")).stripTrailing()).append(System.lineSeparator());
                }
            }
        } else {
            final long seen = h.path("master_last_seen_ms_ago").asLong(-1);
            s.append(String.format("role: secondary   last msg_id: %d   master last seen: %s   delay: %d ms%n",
                h.path("last_msg_id").asLong(), seen < 0 ? "never" : seen + " ms ago", h.path("delay_ms").asLong()));
        }
        return s.toString();
    }

    /** A node of a failover cluster: its role and epoch, whom it takes for master, its log's positions, its peers. */
    private static String failoverTable(final JsonNode h) {
        final StringBuilder s = new StringBuilder();
        final JsonNode masterId = h.path("master_id");
        final String master = h.path("master").isTextual()
            ? "node " + masterId.asInt() + " at " + h.path("master").asText()
                + (h.path("master_http").isTextual() ? " (HTTP " + h.path("master_http").asText() + ")" : "")
            : "none known (an election may be under way)";
        s.append(String.format("node %d: %s   epoch: %d   master: %s%n", h.path("node_id").asInt(),
            h.path("role").asText(), h.path("epoch").asLong(), master));
        s.append(String.format("last msg_id: %d   durable: %d   committed: %d   waiting appends: %d%n",
            h.path("last_msg_id").asLong(), h.path("durable_msg_id").asLong(), h.path("commit_id").asLong(),
            h.path("waiting_appends").asLong()));
        final long ago = h.path("last_election").path("ms_ago").asLong(-1);
        s.append("last election: ").append(h.path("last_election").path("what").asText("none yet"))
            .append(ago < 0 ? "" : " (" + ago + " ms ago)").append(System.lineSeparator());
        if (h.path("storage_error").isTextual()) {
            s.append("STORAGE FAILED, out of the cluster until restarted: ").append(h.path("storage_error").asText())
                .append(System.lineSeparator());
        }
        if (h.path("peers").size() > 0) {
            s.append(String.format("%-6s %-22s %-22s %s%n", "PEER", "ADDRESS", "HTTP", "CONNECTED"));
            for (final JsonNode peer : h.path("peers")) {
                s.append(String.format("%-6d %-22s %-22s %s%n", peer.path("id").asInt(), peer.path("address").asText(),
                    peer.path("http").asText(""), peer.path("connected").asBoolean() ? "yes" : "no"));
            }
        }
        return s.toString();
    }
}
