package io.replog.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.ssl.SslContext;
import io.replog.protocol.HostPort;
import io.replog.protocol.ReplogException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code logctl verify}: reads every node's log in lock-step with the master's, in READ pages and bounded memory,
 * and reports whether each holds a prefix of the master's log; see {@link LogDiff} for what is compared.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check that every node holds a prefix of the master's log: read each node's log page by page "
        + "beside the master's (--server) and report per node the messages it holds, its lag behind the master, "
        + "the first msg_id where it differs, and the gaps, duplicates, reordered, changed and extra messages "
        + "from there. The nodes are the master's secondaries as its health lists them (on a node of a failover "
        + "cluster, any node: its peers), or --nodes.",
        "Compares msg_ids 1..N, N being the master's last msg_id when verify starts; appends may go on meanwhile."},
    exitCodeListHeading = "Exit codes (the worst node decides):%n",
    exitCodeList = {
        "0:every node holds a prefix of the master's log, and within --max-lag",
        "1:verify could not run (bad --tls-ca, --server is a secondary and no --nodes, …)",
        "2:usage error",
        "3:a node (the master included) could not be read: refused, lost, no answer, an error answer",
        "4:a node is behind the master by more than --max-lag messages",
        "5:a node diverged: other bytes at some msg_id, another log, or more messages than the master"})
final class VerifyCommand implements Callable<Integer> {
    static final int EXIT_UNREACHABLE = 3;
    static final int EXIT_BEHIND = 4;
    static final int EXIT_DIVERGED = 5;

    @ParentCommand
    Logctl parent;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", split = ",", paramLabel = "HOST:PORT",
        description = "The nodes to compare with the master, comma-separated binary ports (default: the "
            + "secondaries the master's health lists, at the addresses it replicates to).")
    List<String> nodes;

    @Option(names = "--max-lag", paramLabel = "N",
        description = "Exit 4 when a node holds more than N messages fewer than the master (default: any lag is "
            + "fine; a shorter prefix is still a prefix).")
    Long maxLag;

    @Option(names = "--json", description = "Print one JSON document (per-node results and the verdict).")
    boolean json;

    /** Look-around of the diff, in messages. */
    private final int window = LogDiff.DEFAULT_WINDOW;

    @Override
    public Integer call() {
        if (maxLag != null && maxLag < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-lag must be >= 0");
        }
        (parent.isList() ? parent.servers() : List.of(parent.server)).forEach(a -> checkAddress("--server", a));
        if (nodes != null) {
            nodes.forEach(a -> checkAddress("--nodes", a));
        }
        // a bad --tls-ca is the user's to fix, not a node's fault: exit 1 like every command
        final SslContext tls = parent.tlsContext();
        // with --server a,b,c: the first that answers is the reference, the others are compared with it
        final List<String> listed = parent.isList() ? parent.servers() : List.of(parent.server.trim());
        final VerifyReport report = new VerifyReport(listed.get(0), maxLag);
        final VerifyReport.Node masterRow = new VerifyReport.Node(listed.get(0), true);
        report.nodes.add(masterRow);
        final List<Compared> compared = new ArrayList<>();
        NodeLink master = null;
        try {
            try {
                master = parent.open();
            } catch (CommandFailure | ReplogException e) {
                masterRow.error = describe(e);
                return print(report);
            }
            report.master = master.server();
            masterRow.address = master.server();
            final JsonNode health = master.health();
            masterRow.role = master.role();
            masterRow.logId = health.path("log_id").asText(null);
            // a node of a failover cluster serves what it knows committed, which may be short of its last msg_id
            report.target = health.has("readable_msg_id") || health.has("commit_id")
                ? Math.min(health.path("last_msg_id").asLong(0), health.has("readable_msg_id")
                    ? health.path("readable_msg_id").asLong(0) : health.path("commit_id").asLong(0))
                : health.path("last_msg_id").asLong(0);
            for (final String address : nodeAddresses(master, listed)) {
                final VerifyReport.Node row = new VerifyReport.Node(address, false);
                report.nodes.add(row);
                final NodeLink link = open(row, tls);
                final Compared c = new Compared(row, link);
                c.lastAtOpen = link == null ? -1 : link.health().path("last_msg_id").asLong(-1);
                compared.add(c);
            }
            walk(report, master, masterRow, compared);
            return print(report);
        } finally {
            for (final Compared c : compared) {
                if (c.link != null) {
                    c.link.close();
                }
            }
            if (master != null) {
                master.close();
            }
        }
    }

    /** A node being compared: its row, its connection (null if it could not be reached), its reader and diff. */
    private final class Compared {
        final VerifyReport.Node row;
        final NodeLink link;
        final LogDiff diff = new LogDiff(window);
        /** Its last_msg_id in the health it answered first. */
        long lastAtOpen;
        PagedLog log;

        Compared(final VerifyReport.Node row, final NodeLink link) {
            this.row = row;
            this.link = link;
        }

        boolean comparing() {
            return log != null && row.error == null && diff.active();
        }
    }

    private void checkAddress(final String option, final String address) {
        try {
            HostPort.parse(address);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    /**
     * The other nodes of --server a,b,c, and --nodes or else the secondaries in the master's health (a failover
     * cluster's node: its peers); never the reference itself, each once.
     */
    private List<String> nodeAddresses(final NodeLink master, final List<String> listed) {
        final Set<String> addresses = new LinkedHashSet<>(listed);
        if (nodes != null) {
            nodes.forEach(a -> addresses.add(a.trim()));
        } else if ("failover".equals(master.health().path("mode").asText())) {
            // every node of a failover cluster knows the others: compare with them, whichever is master now
            for (final JsonNode peer : master.health().path("peers")) {
                addresses.add(peer.path("address").asText());
            }
        } else if ("master".equals(master.role())) {
            // "secondaries" is what nodes before the one status report called them
            final JsonNode peers = master.health().has("peers") ? master.health().path("peers")
                : master.health().path("secondaries");
            for (final JsonNode secondary : peers) {
                addresses.add(secondary.path("address").asText());
            }
        } else if (listed.size() == 1) {
            throw new CommandFailure(master.server() + " is a " + master.role() + ", not a master: point --server at "
                + "the master, or name the nodes to compare with it with --nodes");
        }
        addresses.remove(master.server().trim());
        return new ArrayList<>(addresses);
    }

    private NodeLink open(final VerifyReport.Node row, final SslContext tls) {
        try {
            final NodeLink link = NodeLink.open(row.address, parent.connectTimeoutMs, parent.answerTimeoutMs, tls);
            row.role = link.role();
            row.logId = link.health().path("log_id").asText(null);
            return link;
        } catch (CommandFailure | ReplogException e) {
            row.error = describe(e);
            return null;
        }
    }

    /**
     * Walks the master's msg_ids 1..target, every node's diff one step per msg_id, then reads every node's last
     * msg_id and, right after, the master's: a node's log cannot have grown past what the master holds after it, so
     * a node holding more than that holds messages the master does not have.
     */
    private void walk(final VerifyReport report, final NodeLink masterLink, final VerifyReport.Node masterRow,
                      final List<Compared> compared) {
        final long target = report.target;
        final PagedLog master = new PagedLog(masterLink, target, window);
        for (final Compared c : compared) {
            if (c.link != null) {
                c.log = new PagedLog(c.link, Long.MAX_VALUE, 0);
            }
        }
        long i = 1;
        try {
            for (; i <= target && anyComparing(compared); i++) {
                if (master.need(i) == null) {
                    throw new PagedLog.ReadFailure(master, "the master no longer serves msg_id " + i + " (its "
                        + "last_id went down to " + master.highestLastId() + ")");
                }
                for (final Compared c : compared) {
                    if (c.comparing()) {
                        step(c, i, master);
                    }
                }
                master.passTo(i + 1);
            }
        } catch (PagedLog.ReadFailure e) {
            // the reference is gone: what was compared so far stands, the rest is unknown
            masterRow.error = e.getMessage() + " (at msg_id " + i + "; nodes compared up to " + (i - 1) + ")";
        }
        final long walked = Math.min(i, target + 1) - 1;
        for (final Compared c : compared) {
            if (c.comparing()) {
                c.row.comparedTo = walked;
            }
            if (c.log != null) {
                c.diff.finish();
                copy(c);
            }
        }
        masterRow.comparedTo = walked;
        if (masterRow.error != null) {
            return;
        }
        // ends: every node's, then the master's right after
        for (final Compared c : compared) {
            if (c.log != null && c.row.error == null) {
                try {
                    c.row.held = c.log.lastIdNow();
                } catch (PagedLog.ReadFailure e) {
                    c.row.error = e.getMessage();
                }
            }
        }
        try {
            report.masterLast = master.lastIdNow();
            masterRow.held = report.masterLast;
            masterRow.lag = 0;
        } catch (PagedLog.ReadFailure e) {
            masterRow.error = e.getMessage();
        }
        for (final Compared c : compared) {
            judge(c, report, masterRow);
        }
    }

    /** Whether some node is still being compared: once none is, the rest of the master's log need not be read. */
    private static boolean anyComparing(final List<Compared> compared) {
        for (final Compared c : compared) {
            if (c.comparing()) {
                return true;
            }
        }
        return false;
    }

    private static void step(final Compared c, final long i, final PagedLog master) {
        try {
            c.diff.step(i, master, c.log);
            c.log.passTo(c.diff.nextNodeId());
            if (!c.diff.active()) {
                c.row.comparedTo = c.diff.nodeEnded() ? i - 1 : i;
            }
        } catch (PagedLog.ReadFailure e) {
            if (e.log == master) {
                throw e;
            }
            c.row.error = e.getMessage() + " (at msg_id " + c.diff.nextNodeId() + ")";
            c.row.comparedTo = i - 1;
        }
    }

    private static void copy(final Compared c) {
        final VerifyReport.Node row = c.row;
        final LogDiff d = c.diff;
        row.firstDifference = d.firstDifference();
        row.unrelatedFrom = d.unrelatedFrom();
        row.gaps = d.gaps();
        row.duplicates = d.duplicates();
        row.reordered = d.reordered();
        row.changed = d.changed();
        row.extra = d.extra();
        if (row.firstDifference > 0) {
            row.divergence.add("differs from the master at msg_id " + row.firstDifference
                + (row.unrelatedFrom > 0 ? "; no message in common with it from msg_id " + row.unrelatedFrom
                + " on (compared no further)" : ""));
        }
        if (c.log.shrankTo() >= 0) {
            row.divergence.add("its log went back to msg_id " + c.log.shrankTo() + " while verify read it (cut "
                + "back: it held entries that conflicted with the master's)");
        }
    }

    private static void judge(final Compared c, final VerifyReport report, final VerifyReport.Node masterRow) {
        final VerifyReport.Node row = c.row;
        // a node that holds nothing may still name a log it followed once: only messages of another log count
        if (row.logId != null && masterRow.logId != null && !"0".equals(row.logId)
            && !row.logId.equals(masterRow.logId) && (c.lastAtOpen > 0 || row.held > 0)) {
            row.divergence.add("holds another log (log_id " + row.logId + ", the master's is " + masterRow.logId
                + ")");
        }
        if (row.held < 0 || report.masterLast < 0) {
            return;
        }
        row.lag = Math.max(0, report.masterLast - row.held);
        if (row.held > report.masterLast) {
            row.divergence.add("holds msg_ids up to " + row.held + ", the master only up to " + report.masterLast
                + " (read after it)");
        }
    }

    private static String describe(final RuntimeException e) {
        return e instanceof CommandFailure ? e.getMessage() : e.toString();
    }

    private int print(final VerifyReport report) {
        report.conclude();
        final PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.json() + System.lineSeparator() : report.table());
        out.flush();
        return report.exitCode();
    }
}
