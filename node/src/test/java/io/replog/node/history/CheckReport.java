package io.replog.node.history;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What {@link HistoryChecker} found: violations by kind, with a few examples each, and counts of the run. */
final class CheckReport {
    /** The ways a history can break replog's promises. */
    enum Kind { LOST, MOVED, DUPLICATED, PHANTOM, REORDERED, STALE_READ, NON_CONVERGENCE, UNEXPECTED }

    private final int examples;
    private final Map<Kind, Integer> violations = new EnumMap<>(Kind.class);
    private final Map<Kind, List<String>> examplesByKind = new EnumMap<>(Kind.class);
    private final Map<String, Long> counts = new TreeMap<>();

    CheckReport(final int examples) {
        this.examples = examples;
    }

    void violation(final Kind kind, final String example) {
        violations.merge(kind, 1, Integer::sum);
        final List<String> list = examplesByKind.computeIfAbsent(kind, k -> new ArrayList<>());
        if (list.size() < examples) {
            list.add(example);
        }
    }

    void count(final String what, final long n) {
        counts.merge(what, n, Long::sum);
    }

    boolean valid() {
        return violations.isEmpty();
    }

    /** How many violations of {@code kind} were found. */
    int violations(final Kind kind) {
        return violations.getOrDefault(kind, 0);
    }

    long count(final String what) {
        return counts.getOrDefault(what, 0L);
    }

    @Override
    public String toString() {
        final StringBuilder out = new StringBuilder(valid() ? "history: VALID\n" : "history: INVALID\n");
        for (final Kind kind : Kind.values()) {
            final int n = violations(kind);
            out.append(String.format("  %-16s %d%n", kind.name().toLowerCase().replace('_', ' '), n));
            for (final String example : examplesByKind.getOrDefault(kind, List.of())) {
                out.append("      e.g. ").append(example).append('\n');
            }
        }
        counts.forEach((what, n) -> out.append(String.format("  %s: %d%n", what, n)));
        return out.toString();
    }
}
