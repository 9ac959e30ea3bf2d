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
    description = "Show the node's role and mode, its epoch, the master it knows and its settings, then each peer "
        + "as it sees it: health, acknowledged position and lag (on a master), and why it is not Healthy. The same "
        + "table with fixed roles and in a failover cluster.")
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

    /**
     * The same shape whatever the node and its mode: its role and whether it takes appends, the quorum and its log's
     * positions; the node, its epoch and the master it knows; its settings; then one row per peer as it sees it.
     */
    static String table(final JsonNode h) {
        final StringBuilder s = new StringBuilder();
        final JsonNode peers = h.path("peers");
        int up = 1;
        for (final JsonNode peer : peers) {
            if (UP.contains(peer.path("status").asText())) {
                up++;
            }
        }
        s.append(String.format("role: %s   mode: %s   quorum: %d (%d of %d nodes up)   last msg_id: %d"
                + "   waiting appends: %d%n", h.path("role").asText(),
            h.path("read_only").asBoolean() ? "read-only" : "writable", h.path("quorum").asInt(), up,
            peers.size() + 1, h.path("last_msg_id").asLong(), h.path("pending_appends").asLong()));
        s.append(String.format("node: %s   epoch: %d   master: %s   durable: %d   readable: %d   flush: %s%n",
            self(h), h.path("epoch").asLong(), master(h), h.path("durable_msg_id").asLong(),
            h.path("readable_msg_id").asLong(), h.path("flush").asText("?")));
        final long ago = h.path("last_election").path("ms_ago").asLong(-1);
        s.append(String.format("faults: %s   last election: %s%s%n", faults(h),
            h.path("last_election").path("what").asText("none"), ago < 0 ? "" : " (" + ago + " ms ago)"));
        if (h.path("read_only").asBoolean()) {
            s.append("read-only: ").append(h.path("read_only_reason").asText("?")).append(System.lineSeparator());
        }
        if (h.path("storage_error").isTextual()) {
            s.append("STORAGE FAILED: ").append(h.path("storage_error").asText()).append(System.lineSeparator());
        }
        s.append(String.format("%-22s %-12s %10s %10s  %-13s %-12s %-18s %s%n", "PEER", "STATUS", "ACKED", "LAG",
            "CONNECTION", "LAST ANSWER", "ROLE", "REASON"));
        for (final JsonNode peer : peers) {
            final long silent = peer.path("last_answer_ms_ago").asLong(-1);
            final int id = peer.path("id").asInt();
            s.append(String.format("%-22s %-12s %10s %10s  %-13s %-12s %-18s %s",
                peer.path("address").isTextual() ? peer.path("address").asText() : peer.path("name").asText(),
                peer.path("status").asText(), known(peer.path("acked")), known(peer.path("lag")),
                peer.path("connection").asText(), silent < 0 ? "never" : silent + " ms ago",
                peer.path("role").asText() + (id > 0 ? " (node " + id + ")" : ""),
                peer.path("reason").asText("")).stripTrailing()).append(System.lineSeparator());
        }
        return s.toString();
    }

    /** A position the node knows, or "-" (only a master tracks its peers'). */
    private static String known(final JsonNode position) {
        return position.isNumber() ? Long.toString(position.asLong()) : "-";
    }

    /** "node 2 at 127.0.0.1:7001", or the node's name alone when it does not know its own address. */
    private static String self(final JsonNode h) {
        return h.path("address").isTextual() ? h.path("name").asText() + " at " + h.path("address").asText()
            : h.path("name").asText();
    }

    /** The master the node knows, where it listens, or why it knows none. */
    private static String master(final JsonNode h) {
        if (!h.path("master").isTextual()) {
            return "master".equals(h.path("role").asText()) ? "itself"
                : "failover".equals(h.path("mode").asText()) ? "none known (an election may be under way)"
                : "not known (it dials in)";
        }
        final int id = h.path("master_id").asInt();
        return (id > 0 ? "node " + id + " at " : "") + h.path("master").asText()
            + (h.path("master_http").isTextual() ? " (HTTP " + h.path("master_http").asText() + ")" : "");
    }

    /** The node's fault injection, "none" without any. */
    private static String faults(final JsonNode h) {
        final long delay = h.path("delay_ms").asLong();
        final double fail = h.path("fail_rate").asDouble();
        final double drop = h.path("drop_rate").asDouble();
        if (delay <= 0 && fail <= 0 && drop <= 0) {
            return "none";
        }
        final StringBuilder s = new StringBuilder();
        if (delay > 0) {
            s.append("delay ").append(delay).append(" ms");
        }
        if (fail > 0) {
            s.append(s.length() > 0 ? ", " : "").append("fail rate ").append(fail).append(" (")
                .append(h.path("injected_failures").asLong()).append(" injected)");
        }
        if (drop > 0) {
            s.append(s.length() > 0 ? ", " : "").append("drop rate ").append(drop).append(" (")
                .append(h.path("injected_drops").asLong()).append(" dropped)");
        }
        return s.toString();
    }
}
