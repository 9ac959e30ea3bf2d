package io.replog.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What {@code logctl verify} found: one row per node, the verdict, its exit code, as a table or as JSON. */
final class VerifyReport {
    /** A node's verdict; the run's verdict is the worst of its nodes', and so is its exit code. */
    enum Status {
        OK(0), UNREACHABLE(VerifyCommand.EXIT_UNREACHABLE), BEHIND(VerifyCommand.EXIT_BEHIND),
        DIVERGED(VerifyCommand.EXIT_DIVERGED);

        final int exitCode;

        Status(final int exitCode) {
            this.exitCode = exitCode;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One node's findings; -1 (or null) where it is not known. */
    static final class Node {
        String address;
        final boolean reference;
        String role;
        String logId;
        /** Why it could not be read (all of it or from some point on); null if it could. */
        String error;
        /** Its last msg_id when verify last asked. */
        long held = -1;
        long lag = -1;
        /** Master msg_ids 1..comparedTo were accounted for on this node. */
        long comparedTo;
        long firstDifference;
        long unrelatedFrom;
        long gaps;
        long duplicates;
        long reordered;
        long changed;
        long extra;
        /** Why it is diverged, in words; empty if it is not. */
        final List<String> divergence = new ArrayList<>();
        Status status = Status.OK;

        Node(final String address, final boolean reference) {
            this.address = address;
            this.reference = reference;
        }

        /** The first msg_id at which this node and the master disagree; 0 if none is known. */
        long firstDisagreement(final long masterLast) {
            if (firstDifference > 0) {
                return firstDifference;
            }
            return masterLast >= 0 && held > masterLast ? masterLast + 1 : 0;
        }
    }

    /** The node compared against: the master, or with --server a,b,c (or a failover node) the first that answered. */
    String master;
    final Long maxLag;
    /** The master's last_msg_id when verify started: the msg_ids compared are 1..this. */
    long target = -1;
    /** The master's last msg_id at the end, read right after every node's. */
    long masterLast = -1;
    final List<Node> nodes = new ArrayList<>();

    VerifyReport(final String master, final Long maxLag) {
        this.master = master;
        this.maxLag = maxLag;
    }

    /** Decides each node's status from its findings; call once, after the walk. */
    void conclude() {
        for (final Node n : nodes) {
            if (!n.divergence.isEmpty()) {
                n.status = Status.DIVERGED;
            } else if (n.error != null) {
                n.status = Status.UNREACHABLE;
            } else if (maxLag != null && n.lag > maxLag) {
                n.status = Status.BEHIND;
            } else {
                n.status = Status.OK;
            }
        }
    }

    Status verdict() {
        Status worst = Status.OK;
        for (final Node n : nodes) {
            if (n.status.exitCode > worst.exitCode) {
                worst = n.status;
            }
        }
        return worst;
    }

    int exitCode() {
        return verdict().exitCode;
    }

    /** The first msg_id at which any node and the master disagree (so any two nodes); 0 if none. */
    long firstDisagreement() {
        long first = 0;
        for (final Node n : nodes) {
            final long d = n.firstDisagreement(masterLast);
            if (d > 0 && (first == 0 || d < first)) {
                first = d;
            }
        }
        return first;
    }

    String table() {
        final StringBuilder s = new StringBuilder();
        final Node reference = nodes.isEmpty() ? null : nodes.get(0);
        if (reference == null || reference.role == null || "master".equals(reference.role)) {
            s.append("master: ").append(master);
        } else {
            // a failover node that is not master now: its commit point is the reference
            s.append("reference: ").append(master).append(" (").append(reference.role).append(')');
        }
        if (target > 0) {
            s.append("   compared: msg_ids 1..").append(target).append(" (the master's last when verify started)");
        } else if (target == 0) {
            s.append("   compared: nothing (the master held no message when verify started)");
        }
        if (maxLag != null) {
            s.append("   max lag: ").append(maxLag);
        }
        s.append(System.lineSeparator());
        // the address column as wide as the longest address (a host name may be long): the columns stay aligned
        final int width = Math.max(22, nodes.stream().mapToInt(n -> n.address.length()).max().orElse(0));
        final String columns = "%-" + width + "s %-9s %-11s %10s %8s %10s %6s %6s %9s %7s %6s";
        s.append(String.format(columns + "%n", "NODE", "ROLE", "STATUS",
            "HELD", "LAG", "FIRST DIFF", "GAPS", "DUPS", "REORDERED", "CHANGED", "EXTRA"));
        for (final Node n : nodes) {
            final boolean compared = n.error == null || n.comparedTo > 0 || n.firstDifference > 0;
            s.append(String.format(columns, n.address,
                n.role == null ? "-" : n.role, n.status.label(), known(n.held), known(n.lag),
                n.firstDifference > 0 ? String.valueOf(n.firstDifference) : "-",
                count(compared, n.gaps), count(compared, n.duplicates), count(compared, n.reordered),
                count(compared, n.changed), count(compared, n.extra)).stripTrailing()).append(System.lineSeparator());
        }
        for (final Node n : nodes) {
            for (final String why : n.divergence) {
                s.append(n.address).append(": ").append(why).append(System.lineSeparator());
            }
            if (n.error != null) {
                s.append(n.address).append(": ").append(n.error).append(System.lineSeparator());
            }
            if (n.status == Status.BEHIND) {
                s.append(n.address).append(": ").append(n.lag).append(" messages behind the master (--max-lag ")
                    .append(maxLag).append(')').append(System.lineSeparator());
            }
        }
        final long first = firstDisagreement();
        if (first > 0) {
            s.append("first msg_id where nodes disagree: ").append(first).append(System.lineSeparator());
        }
        s.append("verdict: ").append(verdict().name()).append(" (exit ").append(exitCode()).append(')')
            .append(System.lineSeparator());
        return s.toString();
    }

    private static String known(final long value) {
        return value < 0 ? "-" : String.valueOf(value);
    }

    private static String count(final boolean compared, final long value) {
        return compared ? String.valueOf(value) : "-";
    }

    String json() {
        final ObjectNode root = NodeLink.JSON.createObjectNode();
        root.put("verdict", verdict().label());
        root.put("exit_code", exitCode());
        root.put("master", master);
        putKnown(root, "compared_to", target);
        putKnown(root, "master_last_msg_id", masterLast);
        if (maxLag != null) {
            root.put("max_lag", maxLag);
        } else {
            root.putNull("max_lag");
        }
        putNonZero(root, "first_disagreement", firstDisagreement());
        final ArrayNode array = root.putArray("nodes");
        for (final Node n : nodes) {
            final ObjectNode o = array.addObject();
            o.put("address", n.address);
            o.put("role", n.role);
            o.put("status", n.status.label());
            o.put("log_id", n.logId);
            putKnown(o, "held", n.held);
            putKnown(o, "lag", n.lag);
            o.put("compared_to", n.comparedTo);
            putNonZero(o, "first_difference", n.firstDifference);
            o.put("gaps", n.gaps);
            o.put("duplicates", n.duplicates);
            o.put("reordered", n.reordered);
            o.put("changed", n.changed);
            o.put("extra", n.extra);
            putNonZero(o, "unrelated_from", n.unrelatedFrom);
            final ArrayNode why = o.putArray("diverged_because");
            n.divergence.forEach(why::add);
            o.put("error", n.error);
        }
        try {
            return NodeLink.JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putKnown(final ObjectNode o, final String field, final long value) {
        if (value < 0) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }

    private static void putNonZero(final ObjectNode o, final String field, final long value) {
        if (value == 0) {
            o.putNull(field);
        } else {
            o.put(field, value);
        }
    }
}
